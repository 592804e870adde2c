//! A line-protocol file cut into request bodies of a fixed number of lines, each body a
//! zero-copy slice of the file as read once into memory.

use hyper::body::Bytes;

/// `data` cut after every `lines_per_body`-th newline; the last body holds the rest (a final
/// line without a newline included). A `lines_per_body` of 0 is taken as 1.
pub fn split_bodies(data: &Bytes, lines_per_body: usize) -> Vec<Bytes> {
    let lines_per_body = lines_per_body.max(1);
    let mut bodies = Vec::new();
    let mut start = 0;
    let mut lines = 0;
    for (at, _) in data.iter().enumerate().filter(|(_, b)| **b == b'\n') {
        lines += 1;
        if lines == lines_per_body {
            bodies.push(data.slice(start..=at));
            start = at + 1;
            lines = 0;
        }
    }
    if start < data.len() {
        bodies.push(data.slice(start..));
    }
    bodies
}

/// How many lines `body` holds: its newlines, plus a last line that lacks one.
pub fn count_lines(body: &[u8]) -> u64 {
    let newlines = body.iter().filter(|b| **b == b'\n').count() as u64;
    newlines + u64::from(body.last().is_some_and(|b| *b != b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, lines: usize) -> Vec<String> {
        split_bodies(&Bytes::copy_from_slice(text.as_bytes()), lines)
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    #[test]
    fn bodies_end_on_line_boundaries_and_keep_every_byte() {
        assert_eq!(split("a\nb\nc\nd\ne\n", 2), ["a\nb\n", "c\nd\n", "e\n"]);
        assert_eq!(split("a\nb\nc\nd\n", 2), ["a\nb\n", "c\nd\n"]);
    }

    #[test]
    fn a_last_line_without_newline_is_kept() {
        assert_eq!(split("a\nb\nc", 2), ["a\nb\n", "c"]);
        assert_eq!(split("abc", 5000), ["abc"]);
    }

    #[test]
    fn empty_input_gives_no_body_and_zero_lines_per_body_means_one() {
        assert!(split("", 3).is_empty());
        assert_eq!(split("a\nb\n", 0), ["a\n", "b\n"]);
    }

    #[test]
    fn lines_are_counted_with_or_without_a_final_newline() {
        assert_eq!(count_lines(b"a\nb\n"), 2);
        assert_eq!(count_lines(b"a\nb"), 2);
        assert_eq!(count_lines(b""), 0);
    }
}
