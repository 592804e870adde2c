//! The line-protocol reader on any bytes, as the `/write` handler calls it, and the writer on
//! what it reads.

use tick_runtime::lineproto::{BadLine, lines, parse_body, parse_line, peek_measurement, write_line};
use tick_runtime::point::Point;
use tick_runtime::time::Precision;

/// The precisions a body is read in: each scales timestamps differently, so each can hit a
/// different range check.
const PRECISIONS: [Precision; 6] = [
    Precision::Nanosecond,
    Precision::Microsecond,
    Precision::Millisecond,
    Precision::Second,
    Precision::Minute,
    Precision::Hour,
];

/// How many characters a bad line's excerpt may hold: 100 bytes of the line (each possibly an
/// invalid byte shown as one U+FFFD) and the `…` marking the cut.
const MAX_EXCERPT_CHARS: usize = 101;

/// Reads `body` in every precision and checks that each point-carrying line yields exactly one
/// result with its number, that the cheap measurement peek agrees with the full parse, and that
/// every good line survives being written and read back.
pub fn lineproto(body: &[u8]) {
    for precision in PRECISIONS {
        let mut results = parse_body(body, precision);
        let mut last_number = 0;
        for line in lines(body) {
            assert!(line.number > last_number, "line numbers go up: {} after {last_number}", line.number);
            last_number = line.number;
            match results.next() {
                Some(Ok(parsed)) => {
                    assert_eq!(parsed.number, line.number);
                    assert_eq!(peek_measurement(line.text), Some(parsed.view.measurement()));
                    round_trip(&parsed.view.to_point("db", "rp", 0));
                }
                Some(Err(bad)) => {
                    assert_eq!(bad.number, line.number);
                    check_bad_line(&bad);
                }
                None => panic!("line {} has no result", line.number),
            }
        }
        assert!(results.next().is_none(), "more results than lines");
    }
}

fn check_bad_line(bad: &BadLine) {
    assert!(bad.number >= 1);
    let chars = bad.excerpt.chars().count();
    assert!(chars <= MAX_EXCERPT_CHARS, "excerpt of {chars} characters");
    // The report is built from these: they must not panic.
    let _ = bad.to_string();
}

/// Writes `point` as line protocol and reads it back: the same point must come out, unless
/// its names are ones line protocol cannot carry (see `lineproto::write`'s docs).
fn round_trip(point: &Point) {
    if !writable(point) {
        return;
    }
    let mut text = String::new();
    if let Err(e) = write_line(&mut text, point, Precision::Nanosecond) {
        panic!("a point read from line protocol cannot be written ({e}): {point:?}");
    }
    let line = text.strip_suffix('\n').unwrap_or(&text);
    match parse_line(line.as_bytes(), Precision::Nanosecond) {
        Ok(view) => assert_eq!(&view.to_point("db", "rp", 0), point, "written as {line:?}"),
        Err(e) => panic!("written as {line:?}, which reads back as an error: {e}"),
    }
}

/// Whether `point` is one the writer can write faithfully (`lineproto/write.rs` lists those it
/// cannot): no name ends in a backslash, holds a newline, or has a backslash right before a byte
/// its position escapes; the measurement does not start with `#` or a byte the reader skips
/// before a line; and some field key does not start with a byte it skips before the fields.
fn writable(point: &Point) -> bool {
    const NAME: &[u8] = b", =\"";
    const TAG: &[u8] = b", =";
    let faithful = |name: &str, escaped: &[u8]| {
        !name.ends_with('\\')
            && !name.contains('\n')
            && !name.as_bytes().windows(2).any(|w| w[0] == b'\\' && escaped.contains(&w[1]))
    };
    let starts_skipped = |name: &str| matches!(name.as_bytes().first(), Some(b'\t' | 0));
    !point.name.starts_with('#')
        && !starts_skipped(&point.name)
        && faithful(&point.name, NAME)
        && point.tags.iter().all(|(k, v)| faithful(k, TAG) && faithful(v, TAG))
        && point.fields.iter().all(|(k, _)| faithful(k, NAME))
        && point.fields.iter().any(|(k, _)| !starts_skipped(k))
}
