//! A body of line protocol (a `/write` request, a file): its lines, numbered, and each line's
//! result, so a caller can keep the good lines and report every bad one.
//!
//! Lines end at a newline, except where InfluxDB 1.x keeps going: a newline right after a
//! backslash, or inside a string field. A `\r` before the newline is dropped (CRLF bodies are
//! accepted, where InfluxDB 1.x rejects them as bad timestamps); a lone `\r` is no line ending.
//! A UTF-8 byte order mark at the start of the body is skipped (InfluxDB 1.x makes it part of the
//! first measurement's name, which no task would ever match). Blank lines and lines whose first
//! non-blank byte is `#` are skipped.

use std::fmt;

use super::error::LineError;
use super::line::{LineView, parse_line};
use super::whitespace::skip_whitespace;
use crate::time::Precision;

/// How much of a bad line an error report quotes.
const EXCERPT_BYTES: usize = 100;
/// The UTF-8 byte order mark some Windows editors put at the start of a file.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// A line that is neither blank nor a comment, without its line ending or leading whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based number of the physical line where this line starts.
    pub number: usize,
    pub text: &'a [u8],
}

/// The lines of a body; see [`lines`].
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    body: &'a [u8],
    pos: usize,
    next_number: usize,
}

/// The lines of `body` that carry points (blank lines and comments skipped), numbered.
pub fn lines(body: &[u8]) -> Lines<'_> {
    Lines {
        body: body.strip_prefix(BYTE_ORDER_MARK).unwrap_or(body),
        pos: 0,
        next_number: 1,
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        while self.pos < self.body.len() {
            let start = self.pos;
            let (end, inner_newlines) = line_end(self.body, start);
            let number = self.next_number;
            self.next_number += 1 + inner_newlines;
            self.pos = end + 1;
            let raw = self.body.get(start..end).unwrap_or_default();
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let text = raw.get(skip_whitespace(raw, 0)..).unwrap_or_default();
            if !matches!(text.first(), None | Some(b'#')) {
                return Some(Line { number, text });
            }
        }
        None
    }
}

/// Where the line starting at `start` ends (its newline, or the end of the body), and how many
/// newlines it holds (escaped, or inside a string).
///
/// This mirrors InfluxDB's splitter, quirks included: a quote opens a string only past the
/// first space and where more `=` than `,` have been seen, i.e. in a field value.
fn line_end(body: &[u8], start: usize) -> (usize, usize) {
    let rest = body.get(start..).unwrap_or_default();
    // Nearly every line has neither an escape nor a quote: then its first newline ends it.
    match memchr::memchr3(b'\n', b'\\', b'"', rest) {
        None => return (body.len(), 0),
        Some(at) if rest.get(at) == Some(&b'\n') => return (start + at, 0),
        Some(_) => {}
    }
    let mut i = start;
    let mut inner_newlines = 0;
    let mut past_key = false;
    let mut quoted = false;
    let (mut equals, mut commas) = (0_usize, 0_usize);
    while let Some(&b) = body.get(i) {
        match b {
            b'\\' => {
                inner_newlines += usize::from(body.get(i + 1) == Some(&b'\n'));
                i += 2;
                continue;
            }
            b'\n' if !quoted => break,
            b'\n' => inner_newlines += 1,
            b' ' => past_key = true,
            b'=' if past_key && !quoted => equals += 1,
            b',' if past_key && !quoted => commas += 1,
            b'"' if past_key && equals > commas => quoted = !quoted,
            _ => {}
        }
        i += 1;
    }
    (i.min(body.len()), inner_newlines)
}

/// A good line of a body.
#[derive(Debug, Clone, Copy)]
pub struct ParsedLine<'a> {
    pub number: usize,
    pub view: LineView<'a>,
}

/// A rejected line of a body: its number, why, and its start for the error report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub number: usize,
    pub error: LineError,
    /// The line's first ~100 bytes (cut at a character boundary, `…` marking the cut).
    pub excerpt: String,
}

impl BadLine {
    pub(crate) fn new(number: usize, text: &[u8], error: LineError) -> Self {
        BadLine {
            number,
            error,
            excerpt: excerpt(text),
        }
    }
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {} in '{}'", self.number, self.error, self.excerpt)
    }
}

impl std::error::Error for BadLine {}

fn excerpt(text: &[u8]) -> String {
    if text.len() <= EXCERPT_BYTES {
        return String::from_utf8_lossy(text).into_owned();
    }
    // Step back over at most three UTF-8 continuation bytes so no character is split.
    let is_continuation = |i: usize| text.get(i).is_some_and(|b| b & 0xC0 == 0x80);
    let cut = (EXCERPT_BYTES - 3..=EXCERPT_BYTES)
        .rev()
        .find(|&i| !is_continuation(i))
        .unwrap_or(EXCERPT_BYTES);
    format!("{}…", String::from_utf8_lossy(text.get(..cut).unwrap_or_default()))
}

/// Every point-carrying line of `body`, parsed with timestamps in `precision` units.
pub fn parse_body(body: &[u8], precision: Precision) -> impl Iterator<Item = Result<ParsedLine<'_>, BadLine>> {
    lines(body).map(move |line| match parse_line(line.text, precision) {
        Ok(view) => Ok(ParsedLine {
            number: line.number,
            view,
        }),
        Err(error) => Err(BadLine::new(line.number, line.text, error)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn numbered(body: &str) -> Vec<(usize, String)> {
        lines(body.as_bytes())
            .map(|l| (l.number, String::from_utf8_lossy(l.text).into_owned()))
            .collect()
    }

    fn owned(pairs: &[(usize, &str)]) -> Vec<(usize, String)> {
        pairs.iter().map(|&(n, s)| (n, s.to_owned())).collect()
    }

    #[test]
    fn skips_blanks_and_comments() {
        let body = "a v=1\n\n   \n# note\n  # indented\r\n\tb v=2\r\nc v=3";
        assert_eq!(numbered(body), owned(&[(1, "a v=1"), (6, "b v=2"), (7, "c v=3")]));
        assert!(numbered("").is_empty());
        assert!(numbered("\n\n").is_empty());
        assert!(numbered(" \t \n# only\n").is_empty());
    }

    #[test]
    fn a_byte_order_mark_starts_the_body_only() {
        let body = "\u{feff}cpu v=1\r\n\u{feff}mem v=2\rdisk v=3";
        assert_eq!(
            numbered(body),
            owned(&[(1, "cpu v=1"), (2, "\u{feff}mem v=2\rdisk v=3")])
        );
    }

    #[test]
    fn strings_and_escapes_keep_a_line_going() {
        let body = "a s=\"x\ny\" 1\nb v=1\\\nc v=2\nd,k=\"q v=1\ne v=1";
        assert_eq!(
            numbered(body),
            owned(&[
                (1, "a s=\"x\ny\" 1"),
                (3, "b v=1\\\nc v=2"),
                (5, "d,k=\"q v=1"),
                (6, "e v=1")
            ])
        );
        // A quote in a field key is no string; a trailing backslash ends the body.
        assert_eq!(numbered("a k\"=1\nb v=2\\"), owned(&[(1, "a k\"=1"), (2, "b v=2\\")]));
    }

    #[test]
    fn reports_each_bad_line() {
        let body = b"cpu,k=before value=1 1700000000000000000\ncpu,k=mid value=1x 1\n\ncpu,k=after value=3\n";
        let results: Vec<_> = parse_body(body, Precision::Nanosecond).collect();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].as_ref().map(|l| l.number).ok(), Some(1));
        let bad = results[1].as_ref().unwrap_err();
        insta::assert_snapshot!(bad, @"line 2: invalid number at byte 16 in 'cpu,k=mid value=1x 1'");
        assert_eq!(results[2].as_ref().map(|l| l.number).ok(), Some(4));
    }

    #[test]
    fn a_trailing_backslash_swallows_the_next_line_as_influxdb_does() {
        let body = b"cpu,k=mid\\\ncpu,k=after value=3 1700000002000000000\n";
        let results: Vec<_> = parse_body(body, Precision::Nanosecond).collect();
        assert_eq!(results.len(), 1);
        assert!(matches!(
            &results[0],
            Err(BadLine {
                number: 1,
                error: LineError {
                    kind: crate::lineproto::LineErrorKind::DuplicateTag { .. },
                    ..
                },
                ..
            })
        ));
    }

    #[test]
    fn an_unterminated_string_runs_to_the_end_of_the_body() {
        let body = b"cpu,k=mid s=\"abc 1700000001000000000\ncpu,k=after value=3 1700000002000000000\n";
        let results: Vec<_> = parse_body(body, Precision::Nanosecond).collect();
        assert_eq!(results.len(), 1);
        let bad = results[0].as_ref().unwrap_err();
        assert_eq!(
            (bad.number, &bad.error.kind),
            (1, &crate::lineproto::LineErrorKind::UnbalancedQuotes)
        );
    }

    #[test]
    fn big_lines_are_fine() {
        let long_string = format!("cpu,k=long s=\"{}\" 1", "x".repeat(1 << 20));
        let long_field_key = format!("cpu,k=long {}=1 1", "f".repeat(70_000));
        let many_fields = format!(
            "cpu,k=many {} 1",
            (0..10_001).map(|i| format!("f{i}=1")).collect::<Vec<_>>().join(",")
        );
        for body in [long_string, long_field_key, many_fields] {
            let results: Vec<_> = parse_body(body.as_bytes(), Precision::Nanosecond).collect();
            assert!(matches!(results.as_slice(), [Ok(_)]), "{}", &body[..40]);
        }
        let points = parse_body(b"cpu,k=many a=1,b=2,c=3", Precision::Nanosecond)
            .flatten()
            .count();
        assert_eq!(points, 1);
    }

    #[test]
    fn excerpts_are_cut_at_a_character_boundary() {
        let long = format!("{}é{}", "x".repeat(99), "y".repeat(50));
        assert_eq!(excerpt(long.as_bytes()), format!("{}…", "x".repeat(99)));
        let short = "x".repeat(100);
        assert_eq!(excerpt(short.as_bytes()), short);
        assert_eq!(excerpt(&[0x80; 200]).chars().filter(|&c| c == '\u{fffd}').count(), 100);
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            for line in parse_body(&body, Precision::Second).flatten() {
                let point = line.view.to_point("db", "rp", 0);
                prop_assert!(!point.fields.is_empty());
                let _ = line.view.field("v");
                let _ = line.view.tag("k");
            }
            let _ = crate::lineproto::peek_measurement(&body);
        }

        #[test]
        fn line_protocol_shaped_noise_never_panics(body in "[a-c ,=\"\\\\\n\r#.0-9eitfu-]{0,120}") {
            for line in parse_body(body.as_bytes(), Precision::Nanosecond).flatten() {
                let point = line.view.to_point("db", "rp", 0);
                prop_assert_eq!(point.fields.len(), line.view.fields().map(|(k, _)| k).collect::<std::collections::BTreeSet<_>>().len());
            }
        }
    }
}
