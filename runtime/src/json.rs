//! JSON text exactly as Go's encoding/json writes it, for outputs users compare byte for byte
//! with Kapacitor's: strings escape `<`, `>`, `&`, U+2028 and U+2029; floats use the shortest
//! round-trip digits, without an exponent between 1e-6 and 1e21 (`100`, not `100.0`).

use std::fmt::Write;

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

/// Appends `s` as a JSON string literal. Bytes that need no escape are copied in runs: alert
/// details are whole JSON documents, escaped again here, so this is hot.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // A short escape to write, or "" for a `\u` escape.
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            b'<' | b'>' | b'&' | 0x00..0x20 => "",
            // U+2028 and U+2029, escaped as Go does: E2 80 A8 and E2 80 A9.
            0xE2 if matches!(bytes.get(i + 1..i + 3), Some([0x80, 0xA8 | 0xA9])) => "",
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or_default());
        if !escape.is_empty() {
            out.push_str(escape);
            start = i + 1;
        } else if b == 0xE2 {
            out.push_str(if bytes.get(i + 2) == Some(&0xA8) { "\\u2028" } else { "\\u2029" });
            start = i + 3;
        } else {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
            start = i + 1;
        }
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
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
}
