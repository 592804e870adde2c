//! Line protocol's backslash escapes, which differ by position (as in InfluxDB 1.x).
//!
//! A backslash before one of its position's special bytes stands for that byte; before anything
//! else it is an ordinary backslash (so `\\` is two backslashes in a name, one in a string).
//! Text is decoded as UTF-8, invalid sequences becoming U+FFFD as Go's JSON output shows them.

use std::borrow::Cow;

/// What a backslash escapes in a measurement or a field key.
pub(crate) const NAME_ESCAPES: &[u8] = b", =\"";
/// What a backslash escapes in a tag key or value.
pub(crate) const TAG_ESCAPES: &[u8] = b", =";
/// What a backslash escapes inside a string field's quotes.
pub(crate) const STRING_ESCAPES: &[u8] = b"\"\\";

/// The text of `raw` with its escapes resolved; borrowed when there is nothing to resolve.
pub(crate) fn unescape<'a>(raw: &'a [u8], escapable: &[u8]) -> Cow<'a, str> {
    if !raw.contains(&b'\\') {
        return String::from_utf8_lossy(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match raw.get(i + 1) {
            Some(&next) if b == b'\\' && escapable.contains(&next) => {
                out.push(next);
                i += 2;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Whether `raw`, once unescaped, equals `name`, without allocating.
pub(crate) fn unescaped_eq(raw: &[u8], escapable: &[u8], name: &str) -> bool {
    if !raw.contains(&b'\\') {
        return raw == name.as_bytes();
    }
    unescape(raw, escapable) == name
}

/// Appends `text` with a backslash before each byte of `special`.
pub(crate) fn push_escaped(out: &mut String, text: &str, special: &[u8]) {
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| special.contains(&b)) {
        let (plain, tail) = rest.split_at(at);
        out.push_str(plain);
        out.push('\\');
        let mut chars = tail.chars();
        // `special` holds ASCII bytes only, so the byte at `at` starts a one-byte char.
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_by_position() {
        assert_eq!(unescape(br#"c\,p\ u\=x\"y"#, NAME_ESCAPES), r#"c,p u=x"y"#);
        assert_eq!(unescape(br#"a\,b\ c\=d\"e"#, TAG_ESCAPES), r#"a,b c=d\"e"#);
        assert_eq!(unescape(br#"a \"q\" b\\c \n"#, STRING_ESCAPES), r#"a "q" b\c \n"#);
        // A backslash before an ordinary byte stays, and `\\,` is a backslash and a comma.
        assert_eq!(unescape(br"m\id", TAG_ESCAPES), r"m\id");
        assert_eq!(unescape(br"a\\,b", TAG_ESCAPES), r"a\,b");
        assert_eq!(unescape(br"end\", TAG_ESCAPES), r"end\");
    }

    #[test]
    fn unescape_borrows_plain_text_and_repairs_bad_utf8() {
        assert!(matches!(unescape(b"plain", TAG_ESCAPES), Cow::Borrowed("plain")));
        assert_eq!(unescape(b"a\xffb", TAG_ESCAPES), "a\u{fffd}b");
        assert_eq!(unescape(b"a\\ \xff", TAG_ESCAPES), "a \u{fffd}");
    }

    #[test]
    fn escapes_special_bytes_only() {
        let mut out = String::new();
        push_escaped(&mut out, "温度 a,b=c\"", TAG_ESCAPES);
        assert_eq!(out, r#"温度\ a\,b\=c""#);
        out.clear();
        push_escaped(&mut out, r#"say "hi" \o/"#, STRING_ESCAPES);
        assert_eq!(out, r#"say \"hi\" \\o/"#);
        assert!(unescaped_eq(br"a\ b", TAG_ESCAPES, "a b"));
        assert!(!unescaped_eq(b"ab", TAG_ESCAPES, "a b"));
    }
}
