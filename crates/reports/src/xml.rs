//! Text for XML documents (SVG, CAP, Atom, Open311 XML): one escaping rule for all of them.

/// Appends `s` escaped for XML text and attribute values, dropping characters XML 1.0 cannot
/// hold (control characters other than tab and line ends, U+FFFE, U+FFFF).
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// `s` escaped for XML text and attribute values (see [`escape_into`]).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    escape_into(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_quotes_and_forbidden_characters() {
        assert_eq!(super::escape("a<b>&\"c\"'d'\u{1}\u{FFFF}\tđ"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;\tđ");
    }
}
