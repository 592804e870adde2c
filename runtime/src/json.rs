//! JSON text exactly as Go's encoding/json writes it, for outputs users compare byte for byte
//! with Kapacitor's: strings escape `<`, `>`, `&`, U+2028 and U+2029; floats use the shortest
//! round-trip digits, without an exponent between 1e-6 and 1e21 (`100`, not `100.0`).

use std::fmt::Write;

use crate::decimal::Decimal;
use crate::escape_runs::{Marks, escape_into, marks};

/// A float JSON cannot represent (Go's encoder fails on it: the whole value is not written).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnsupportedFloat(pub f64);

impl std::fmt::Display for UnsupportedFloat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "json: unsupported value: {}", go_float_word(self.0))
    }
}

impl std::error::Error for UnsupportedFloat {}

fn go_float_word(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    }
}

/// The bytes that start a character a JSON string escapes.
const JSON_MARKS: Marks = marks(b"\"\\<>&\xE2", 0x20);

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    escape_into(out, s, &JSON_MARKS, json_escape);
    out.push('"');
}

/// Appends a time as Go's encoder writes a `time.Time`: its RFC 3339 text, which needs no
/// escaping, in quotes.
pub fn write_time(out: &mut String, ns: crate::point::Time) {
    out.push('"');
    crate::time::write_rfc3339_nano(out, ns);
    out.push('"');
}

/// Appends an object, `{key:value,...}`, writing each key with `key` and each value with
/// `value` (which may fail, as a float JSON cannot hold does).
pub(crate) fn write_object<K, V, E>(
    out: &mut String,
    entries: impl Iterator<Item = (K, V)>,
    mut key: impl FnMut(&mut String, K),
    mut value: impl FnMut(&mut String, V) -> Result<(), E>,
) -> Result<(), E> {
    out.push('{');
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        key(out, k);
        out.push(':');
        value(out, v)?;
    }
    out.push('}');
    Ok(())
}

/// A quote of a JSON document inserted into HTML text by html/template.
pub(crate) const HTML_QUOTE: &str = "&#34;";

/// [`HTML_QUOTE`] as the text of a JSON string.
pub(crate) const HTML_QUOTE_IN_JSON: &str = "\\u0026#34;";

/// The bytes that start a character a JSON string escapes, or html/template then escapes in
/// the JSON's text (`'` and `+`; JSON's own escapes leave nothing else for HTML to escape).
const JSON_IN_HTML_MARKS: Marks = marks(b"\"\\<>&\xE2'+", 0x20);

/// Appends `s` as a JSON string literal as html/template shows it in HTML text: the text of
/// [`write_str`], HTML-escaped (Kapacitor's default details, `{{ json . }}`).
pub(crate) fn write_str_in_html(out: &mut String, s: &str) {
    out.push_str(HTML_QUOTE);
    escape_into(out, s, &JSON_IN_HTML_MARKS, |c| match c {
        '"' => Some("\\&#34;"),
        '\'' => Some("&#39;"),
        '+' => Some("&#43;"),
        c => json_escape(c),
    });
    out.push_str(HTML_QUOTE);
}

/// Appends what [`write_str_in_html`] writes as the text of a JSON string (without its
/// quotes), in one pass: what [`write_str`] would make of it. The default details are written
/// so into an alert's JSON, rather than rendered and then escaped again.
pub(crate) fn write_str_in_html_in_json(out: &mut String, s: &str) {
    out.push_str(HTML_QUOTE_IN_JSON);
    // Each HTML escape starts with `&`, each JSON escape with a backslash: escaped again, the
    // one becomes `\u0026`, the other two backslashes.
    escape_into(out, s, &JSON_IN_HTML_MARKS, |c| match c {
        '"' => Some("\\\\\\u0026#34;"),
        '\'' => Some("\\u0026#39;"),
        '+' => Some("\\u0026#43;"),
        c => json_escape_escaped(c),
    });
    out.push_str(HTML_QUOTE_IN_JSON);
}

/// [`json_escape`]'s escape, escaped again as JSON (its backslash doubled).
fn json_escape_escaped(c: char) -> Option<&'static str> {
    const CONTROL: [&str; 32] = [
        "\\\\u0000", "\\\\u0001", "\\\\u0002", "\\\\u0003", "\\\\u0004", "\\\\u0005", "\\\\u0006",
        "\\\\u0007", "\\\\u0008", "\\\\t", "\\\\n", "\\\\u000b", "\\\\u000c", "\\\\r",
        "\\\\u000e", "\\\\u000f", "\\\\u0010", "\\\\u0011", "\\\\u0012", "\\\\u0013",
        "\\\\u0014", "\\\\u0015", "\\\\u0016", "\\\\u0017", "\\\\u0018", "\\\\u0019",
        "\\\\u001a", "\\\\u001b", "\\\\u001c", "\\\\u001d", "\\\\u001e", "\\\\u001f",
    ];
    Some(match c {
        '\\' => "\\\\\\\\",
        '<' => "\\\\u003c",
        '>' => "\\\\u003e",
        '&' => "\\\\u0026",
        '\u{2028}' => "\\\\u2028",
        '\u{2029}' => "\\\\u2029",
        c => CONTROL.get(usize::try_from(u32::from(c)).ok()?).copied()?,
    })
}

/// How Go's encoder escapes `c` in a string, if it does: the short forms for quote, backslash,
/// newline, return and tab, `\u00xx` for other control characters and for `<`, `>`, `&`
/// (safe in HTML), and the two line separators JavaScript does not allow in strings.
fn json_escape(c: char) -> Option<&'static str> {
    const CONTROL: [&str; 32] = [
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\u0008", "\\t", "\\n", "\\u000b", "\\u000c", "\\r", "\\u000e", "\\u000f",
        "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
        "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
    ];
    Some(match c {
        '"' => "\\\"",
        '\\' => "\\\\",
        '<' => "\\u003c",
        '>' => "\\u003e",
        '&' => "\\u0026",
        '\u{2028}' => "\\u2028",
        '\u{2029}' => "\\u2029",
        c => CONTROL.get(usize::try_from(u32::from(c)).ok()?).copied()?,
    })
}

/// Appends a float as Go's encoding/json does.
pub fn write_f64(out: &mut String, v: f64) -> Result<(), UnsupportedFloat> {
    if !v.is_finite() {
        return Err(UnsupportedFloat(v));
    }
    let abs = v.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Rust's `{:e}` gives the same shortest digits as Go's 'e' format; Go writes a sign on
        // the exponent and encoding/json then drops the leading zero of a one-digit negative one.
        let s = format!("{v:e}");
        match s.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => {
                let _ = write!(out, "{mantissa}e+{exp}");
            }
            _ => out.push_str(&s),
        }
    } else if let Some(decimal) = Decimal::shortest(abs) {
        // Most values a metric carries: found with a few exact operations.
        decimal.write(out, v.is_sign_negative());
    } else {
        // Display prints the shortest round-trip digits without an exponent, as Go's 'f', -1.
        let _ = write!(out, "{v}");
    }
    Ok(())
}

pub fn write_i64(out: &mut String, v: i64) {
    let _ = write!(out, "{v}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: f64) -> String {
        let mut s = String::new();
        write_f64(&mut s, v).unwrap();
        s
    }

    fn st(v: &str) -> String {
        let mut s = String::new();
        write_str(&mut s, v);
        s
    }

    /// Written in one pass, a string of the details is what escaping its HTML text as a JSON
    /// string gives.
    fn in_json_is_html_escaped_again(text: &str) {
        let mut html = String::new();
        write_str_in_html(&mut html, text);
        let mut once = String::new();
        write_str_in_html_in_json(&mut once, text);
        assert_eq!(format!("\"{once}\""), st(&html), "{text:?}");
    }

    #[test]
    fn html_text_is_written_in_json_in_one_pass() {
        let every_ascii: String = (0..128_u8).map(char::from).collect();
        for text in ["", "plain", &every_ascii, "a\"b'c+d<e>f&g\\h", "\u{2028}\u{2029}€é\u{1F600}", "1e+21"] {
            in_json_is_html_escaped_again(text);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_html_text_is_written_in_json_in_one_pass(text in "\\PC*|[\"'+<>&\\\\\u{0}-\u{1f}\u{2028}\u{2029}a€]*") {
            in_json_is_html_escaped_again(&text);
        }
    }

    #[test]
    fn floats_match_go() {
        assert_eq!(f(100.0), "100");
        assert_eq!(f(97.1), "97.1");
        assert_eq!(f(-0.5), "-0.5");
        assert_eq!(f(0.0), "0");
        assert_eq!(f(1e21), "1e+21");
        assert_eq!(f(1.5e-7), "1.5e-7");
        assert_eq!(f(1e-6), "0.000001");
        assert_eq!(f(123456789012345680000.0), "123456789012345680000");
        assert_eq!(f(2.5e-10), "2.5e-10");
        assert_eq!(f(-3e22), "-3e+22");
        assert!(write_f64(&mut String::new(), f64::NAN).is_err());
        assert!(write_f64(&mut String::new(), f64::INFINITY).is_err());
    }

    #[test]
    fn strings_escape_like_go() {
        assert_eq!(st("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(st("<&>"), r#""\u003c\u0026\u003e""#);
        assert_eq!(st("line\nnext\t\r"), r#""line\nnext\t\r""#);
        assert_eq!(st("\u{1}\u{2028}é"), "\"\\u0001\\u2028é\"");
        // Other characters starting with the same byte as U+2028 pass, as does DEL.
        assert_eq!(st("€\u{2029}x\u{1f}\u{7f}\u{2027}"), "\"€\\u2029x\\u001f\u{7f}\u{2027}\"");
    }

    proptest::proptest! {
        #[test]
        fn any_string_reads_back_and_is_safe_in_html(text in "\\PC*|[\u{0}-\u{7f}\u{2026}-\u{202a}]{0,30}") {
            let written = st(&text);
            proptest::prop_assert_eq!(serde_json::from_str::<String>(&written).ok(), Some(text));
            let unsafe_in_html = ['<', '>', '&', '\u{2028}', '\u{2029}'];
            proptest::prop_assert!(!written.contains(unsafe_in_html), "{}", written);
        }
    }
}
