//! The key of a line: its measurement and tag set (`cpu,host=a,region=eu`).
//!
//! In the key a byte right after a backslash is never a separator, whatever that backslash
//! itself follows: InfluxDB 1.x scans keys this way, so `a\\,b` is one tag value.

use std::borrow::Cow;

use super::error::{LineError, LineErrorKind, MAX_KEY_LENGTH};
use super::escape::{NAME_ESCAPES, TAG_ESCAPES, unescape};
use super::whitespace::skip_whitespace;

/// Where the key of a line lies. Ranges are byte offsets into the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeySpan {
    pub measurement: (usize, usize),
    /// The tags without the comma that introduces them; empty when there are none.
    pub tags: (usize, usize),
    /// The offset of the space that ends the key.
    pub end: usize,
}

/// Whether the byte at `i` follows a backslash.
fn is_escaped(bytes: &[u8], i: usize) -> bool {
    i > 0 && bytes.get(i - 1) == Some(&b'\\')
}

/// The first `stop` byte at or after `from` that does not follow a backslash.
fn find_unescaped(bytes: &[u8], from: usize, stop: u8) -> Option<usize> {
    (from..bytes.len()).find(|&i| bytes.get(i) == Some(&stop) && !is_escaped(bytes, i))
}

/// Where the key that starts at `start` ends, if it is well formed: at its first space that
/// does not follow a backslash. Finding it checks nothing else, so a key found this way is
/// known good only when it equals one [`scan_key`] accepted (whose end is found the same way).
pub(crate) fn key_end(line: &[u8], start: usize) -> Option<usize> {
    let mut from = start;
    loop {
        let space = from + memchr::memchr(b' ', line.get(from..)?)?;
        if !is_escaped(line, space) {
            return Some(space);
        }
        from = space + 1;
    }
}

/// Scans and checks the key that starts at `start` (no whitespace before it): a measurement,
/// then tags with non-empty keys and values and no key twice.
pub(crate) fn scan_key(line: &[u8], start: usize) -> Result<KeySpan, LineError> {
    let err = |kind, at| Err(LineError::new(kind, at));
    if matches!(line.get(start), None | Some(b',')) {
        return err(LineErrorKind::MissingMeasurement, start);
    }
    let mut i = start;
    let tags_start = loop {
        i += 1;
        match line.get(i) {
            None => return err(LineErrorKind::MissingFields, i),
            Some(_) if is_escaped(line, i) => {}
            Some(b',') => break i + 1,
            Some(b' ') => {
                return Ok(KeySpan {
                    measurement: (start, i),
                    tags: (i, i),
                    end: i,
                });
            }
            Some(_) => {}
        }
    };
    let measurement = (start, tags_start - 1);

    i = tags_start;
    let mut previous_key: Option<&[u8]> = None;
    let mut keys_sorted = true;
    let end = loop {
        let key_start = i;
        if matches!(line.get(i), None | Some(b' ' | b',' | b'=')) {
            return err(LineErrorKind::MissingTagKey, i);
        }
        loop {
            i += 1;
            match line.get(i) {
                None => return err(LineErrorKind::MissingTagValue, i),
                Some(_) if is_escaped(line, i) => {}
                Some(b' ' | b',') => return err(LineErrorKind::MissingTagValue, i),
                Some(b'=') => break,
                Some(_) => {}
            }
        }
        let key = line.get(key_start..i).unwrap_or_default();
        match previous_key.map(|previous| previous.cmp(key)) {
            Some(std::cmp::Ordering::Equal) => return err(duplicate(key), key_start),
            Some(std::cmp::Ordering::Greater) => keys_sorted = false,
            _ => {}
        }
        previous_key = Some(key);

        i += 1;
        if matches!(line.get(i), None | Some(b',' | b' ')) {
            return err(LineErrorKind::MissingTagValue, i);
        }
        // The value's first byte is never a separator, not even `=` (as in InfluxDB).
        let separator = loop {
            i += 1;
            match line.get(i) {
                None => return err(LineErrorKind::MissingFields, i),
                Some(_) if is_escaped(line, i) => {}
                Some(b'=') => return err(LineErrorKind::InvalidTagFormat, i),
                Some(&b @ (b',' | b' ')) => break b,
                Some(_) => {}
            }
        };
        if separator == b' ' {
            break i;
        }
        i += 1;
    };
    let tags = (tags_start, end);
    if !keys_sorted {
        check_unsorted_keys_unique(line.get(tags.0..tags.1).unwrap_or_default(), tags_start)?;
    }
    if end - start > MAX_KEY_LENGTH {
        return err(LineErrorKind::KeyTooLong { length: end - start }, start);
    }
    Ok(KeySpan { measurement, tags, end })
}

fn duplicate(raw_key: &[u8]) -> LineErrorKind {
    LineErrorKind::DuplicateTag {
        key: unescape(raw_key, TAG_ESCAPES).into_owned(),
    }
}

/// Finds a repeated key among tags written out of order (adjacent repeats are caught while
/// scanning); sorting costs an allocation, but senders almost always sort their tags.
fn check_unsorted_keys_unique(tags: &[u8], tags_start: usize) -> Result<(), LineError> {
    let mut keys: Vec<(&[u8], usize)> = RawTags::new(tags).map(|(key, _, at)| (key, at)).collect();
    keys.sort_unstable();
    match keys.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        Some(pair) => Err(LineError::new(duplicate(pair[0].0), tags_start + pair[1].1)),
        None => Ok(()),
    }
}

/// The tags of a checked tag section as written: (key, value, offset of the key).
#[derive(Clone)]
pub(crate) struct RawTags<'a> {
    section: &'a [u8],
    pos: usize,
}

impl<'a> RawTags<'a> {
    pub(crate) fn new(section: &'a [u8]) -> Self {
        RawTags { section, pos: 0 }
    }
}

impl<'a> Iterator for RawTags<'a> {
    type Item = (&'a [u8], &'a [u8], usize);

    fn next(&mut self) -> Option<Self::Item> {
        let key_start = self.pos;
        let equals = find_unescaped(self.section, key_start, b'=')?;
        // The value may begin with `=`, so the search for its end starts past its first byte.
        let value_end = find_unescaped(self.section, equals + 2, b',').unwrap_or(self.section.len());
        self.pos = value_end + 1;
        let key = self.section.get(key_start..equals)?;
        let value = self.section.get(equals + 1..value_end)?;
        Some((key, value, key_start))
    }
}

/// The tags of a line, unescaped, in the order written.
#[derive(Clone)]
pub struct Tags<'a> {
    raw: RawTags<'a>,
}

impl<'a> Tags<'a> {
    pub(crate) fn new(section: &'a [u8]) -> Self {
        Tags {
            raw: RawTags::new(section),
        }
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = (Cow<'a, str>, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        self.raw
            .next()
            .map(|(key, value, _)| (unescape(key, TAG_ESCAPES), unescape(value, TAG_ESCAPES)))
    }
}

/// The measurement of a line, read without checking the rest of it: the cheap first step
/// that routes a line to the tasks that want its measurement. `None` for blank lines,
/// comments, and lines that start with a comma.
pub fn peek_measurement(line: &[u8]) -> Option<Cow<'_, str>> {
    let start = skip_whitespace(line, 0);
    if matches!(line.get(start), None | Some(b'#' | b',')) {
        return None;
    }
    let end = (start + 1..line.len())
        .find(|&i| matches!(line.get(i), Some(b',' | b' ')) && !is_escaped(line, i))
        .unwrap_or(line.len());
    Some(unescape(line.get(start..end)?, NAME_ESCAPES))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_error(line: &str) -> LineErrorKind {
        scan_key(line.as_bytes(), 0).unwrap_err().kind
    }

    fn tags(line: &str) -> Vec<(String, String)> {
        let span = scan_key(line.as_bytes(), 0).unwrap();
        Tags::new(&line.as_bytes()[span.tags.0..span.tags.1])
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn spans_of_a_key() {
        let span = scan_key(b"cpu,host=a,region=eu value=1", 0).unwrap();
        assert_eq!(
            span,
            KeySpan {
                measurement: (0, 3),
                tags: (4, 20),
                end: 20
            }
        );
        let span = scan_key(b"cpu value=1", 0).unwrap();
        assert_eq!(
            span,
            KeySpan {
                measurement: (0, 3),
                tags: (3, 3),
                end: 3
            }
        );
    }

    #[test]
    fn tags_unescape_and_keep_order() {
        assert_eq!(
            tags(r"cpu,z=1,k\ e\,y\=z=a\ b\,c\=d,q=m\id x=1"),
            [("z", "1"), ("k e,y=z", "a b,c=d"), ("q", r"m\id")].map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(tags("cpu,k==v x=1"), [("k".to_owned(), "=v".to_owned())]);
        // The comma follows a backslash, so it belongs to the value, escaped backslash or not.
        assert_eq!(tags(r"cpu,k=a\\,j x=1"), [("k".to_owned(), r"a\,j".to_owned())]);
    }

    #[test]
    fn key_errors_match_influxdb() {
        assert_eq!(key_error(",k=v x=1"), LineErrorKind::MissingMeasurement);
        assert_eq!(key_error("cpu"), LineErrorKind::MissingFields);
        assert_eq!(key_error("cpu,k=mid"), LineErrorKind::MissingFields);
        assert_eq!(key_error("cpu,=x value=2"), LineErrorKind::MissingTagKey);
        assert_eq!(key_error("cpu,k=mid, value=2"), LineErrorKind::MissingTagKey);
        assert_eq!(key_error("cpu, value=2"), LineErrorKind::MissingTagKey);
        assert_eq!(key_error("cpu,k= value=2"), LineErrorKind::MissingTagValue);
        assert_eq!(key_error("cpu,k value=2"), LineErrorKind::MissingTagValue);
        assert_eq!(key_error("cpu,k"), LineErrorKind::MissingTagValue);
        assert_eq!(key_error(r"cpu,k=mid\ value=2 1"), LineErrorKind::InvalidTagFormat);
        assert_eq!(key_error("cpu,k=mid\tvalue=2 1"), LineErrorKind::InvalidTagFormat);
        assert_eq!(key_error(r"cpu,k=a\\,j=b x=1"), LineErrorKind::InvalidTagFormat);
        let dup = LineErrorKind::DuplicateTag { key: "k".to_owned() };
        assert_eq!(key_error("cpu,k=mid,k=other value=2"), dup);
        assert_eq!(key_error("cpu,k=1,a=2,k=3 value=2"), dup);
        assert_eq!(scan_key(b"cpu,k=1,a=2,k=3 value=2", 0).unwrap_err().offset, 12);
    }

    #[test]
    fn a_good_key_ends_where_its_scan_ends() {
        for line in [
            "cpu,host=a,region=eu value=1",
            "cpu value=1",
            r"c\ pu,k\ e=v\ w x=1",
            r"cpu,k=a\\ b x=1",
            r"\ cpu x=1",
            "cpu,k==v x=1",
        ] {
            let span = scan_key(line.as_bytes(), 0).unwrap();
            assert_eq!(key_end(line.as_bytes(), 0), Some(span.end), "{line}");
        }
        assert_eq!(key_end(b"cpu,k=v", 0), None);
        assert_eq!(key_end(br"cpu,k=v\ ", 0), None);
    }

    #[test]
    fn key_length_limit() {
        let long = format!("{} v=1", "m".repeat(MAX_KEY_LENGTH));
        assert!(scan_key(long.as_bytes(), 0).is_ok());
        let too_long = format!("{},k=long v=1", "m".repeat(MAX_KEY_LENGTH));
        assert_eq!(
            key_error(&too_long),
            LineErrorKind::KeyTooLong {
                length: MAX_KEY_LENGTH + 7
            }
        );
    }

    #[test]
    fn peeks_the_measurement() {
        assert_eq!(peek_measurement(b"cpu,host=a value=1").as_deref(), Some("cpu"));
        assert_eq!(peek_measurement(b"  cpu value=1").as_deref(), Some("cpu"));
        assert_eq!(peek_measurement(br"c\,p\ u,k=v x=1").as_deref(), Some("c,p u"));
        assert_eq!(peek_measurement(b"cpu").as_deref(), Some("cpu"));
        assert_eq!(peek_measurement(b"# comment"), None);
        assert_eq!(peek_measurement(b",k=v x=1"), None);
        assert_eq!(peek_measurement(b"   "), None);
        assert!(matches!(peek_measurement(b"mem x=1"), Some(Cow::Borrowed("mem"))));
    }
}
