//! Copying text with some characters replaced, the work every escaper here does (JSON
//! strings, html/template's escaping): the bytes that need nothing are found by a table and
//! copied in whole runs, so the cost is per escape, not per byte. Alert details are JSON
//! documents escaped twice (HTML, then JSON) for every event, so this is hot.

/// Which bytes may start a character to replace: a table indexed by byte.
pub(crate) type Marks = [bool; 256];

/// A table marking `bytes`, and every byte below `below` (control characters).
pub(crate) const fn marks(bytes: &[u8], below: u8) -> Marks {
    let mut table = [false; 256];
    let mut b = 0;
    while b < below {
        table[b as usize] = true;
        b += 1;
    }
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

/// Appends `text` to `out`, each character that starts with a byte `marked` and for which
/// `replacement` has text written as that text, everything else as it is. A marked byte
/// that is not the first byte of a character is never asked about.
pub(crate) fn escape_into(
    out: &mut String,
    text: &str,
    marked: &Marks,
    replacement: impl Fn(char) -> Option<&'static str>,
) {
    let bytes = text.as_bytes();
    // Room for the text and a few escapes, so short runs are not copied into a growing buffer.
    out.reserve(bytes.len() + bytes.len() / 8);
    // `copied`: where the text not written yet starts; `from`: where to look next.
    let mut copied = 0;
    let mut from = 0;
    while let Some(offset) = bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| marked[usize::from(b)]))
    {
        let at = from + offset;
        let c = match bytes.get(at) {
            // An ASCII byte is its own character: no decoding.
            Some(&b) if b.is_ascii() => char::from(b),
            _ => match text.get(at..).and_then(|rest| rest.chars().next()) {
                Some(c) => c,
                None => {
                    // Not a character boundary: a continuation byte, never escaped.
                    from = at + 1;
                    continue;
                }
            },
        };
        from = at + c.len_utf8();
        if let Some(escape) = replacement(c) {
            out.push_str(text.get(copied..at).unwrap_or_default());
            out.push_str(escape);
            copied = from;
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKED: Marks = marks(b"<&\xE2", 0x20);

    fn escape(text: &str) -> String {
        let mut out = String::from("[");
        escape_into(&mut out, text, &MARKED, |c| match c {
            '<' => Some("&lt;"),
            '&' => Some("&amp;"),
            '\u{2028}' => Some("LS"),
            '\n' => Some("\\n"),
            _ => None,
        });
        out
    }

    #[test]
    fn replaces_marked_characters_and_copies_the_rest() {
        assert_eq!(escape(""), "[");
        assert_eq!(escape("plain"), "[plain");
        assert_eq!(escape("<a&b>\n"), "[&lt;a&amp;b>\\n");
        // Marked but without a replacement: kept as they are.
        assert_eq!(escape("\t\u{2029}x"), "[\t\u{2029}x");
        assert_eq!(escape("é\u{2028}€<"), "[éLS€&lt;");
    }

    proptest::proptest! {
        #[test]
        fn matches_a_character_at_a_time(text in "[a-z<&\\n\\t\u{2028}\u{2029}éâ€]{0,40}") {
            let mut expected = String::from("[");
            for c in text.chars() {
                match c {
                    '<' => expected.push_str("&lt;"),
                    '&' => expected.push_str("&amp;"),
                    '\u{2028}' => expected.push_str("LS"),
                    '\n' => expected.push_str("\\n"),
                    c => expected.push(c),
                }
            }
            proptest::prop_assert_eq!(escape(&text), expected);
        }
    }
}
