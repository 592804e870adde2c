//! The lines of a byte stream, read a block at a time and split in place: a line costs a
//! search for its newline, not a call into the reader and a copy.

use std::io::{self, Read};

/// How much is asked of the reader at a time.
const BLOCK_BYTES: usize = 256 << 10;

/// Why a line could not be had.
#[derive(Debug)]
pub(crate) enum LineFailure {
    Io(io::Error),
    /// Line `number` is longer than the limit.
    TooLong { number: usize },
}

/// Numbered lines of at most `max_line` bytes, without their line endings (`\n` or `\r\n`).
pub(crate) struct BlockLines<R> {
    input: R,
    max_line: usize,
    /// Bytes read and not yet returned are `buffer[start..filled]`.
    buffer: Vec<u8>,
    start: usize,
    filled: usize,
    at_end: bool,
    lines_read: usize,
}

impl<R: Read> BlockLines<R> {
    pub(crate) fn new(input: R, max_line: usize) -> Self {
        BlockLines {
            input,
            max_line,
            buffer: Vec::new(),
            start: 0,
            filled: 0,
            at_end: false,
            lines_read: 0,
        }
    }

    /// How many lines have been returned: the number of the last one.
    pub(crate) fn lines_read(&self) -> usize {
        self.lines_read
    }

    /// The next line, or `None` at the end of the input (a last line without a newline is a
    /// line). The buffer holds at most one line beyond the limit and a block.
    pub(crate) fn next_line(&mut self) -> Result<Option<&[u8]>, LineFailure> {
        // Where the search for the newline goes on: the bytes before it hold none.
        let mut searched = self.start;
        let (line_end, next_start) = loop {
            let unsearched = self.buffer.get(searched..self.filled).unwrap_or_default();
            if let Some(newline) = memchr::memchr(b'\n', unsearched) {
                break (searched + newline, searched + newline + 1);
            }
            if self.filled - self.start > self.max_line {
                return Err(LineFailure::TooLong { number: self.lines_read + 1 });
            }
            if self.at_end {
                if self.start == self.filled {
                    return Ok(None);
                }
                break (self.filled, self.filled);
            }
            // `fill` moves the unreturned bytes, all searched, to the front.
            searched = self.filled - self.start;
            self.fill().map_err(LineFailure::Io)?;
        };
        self.lines_read += 1;
        let line = self.start..line_end;
        self.start = next_start;
        if line.len() > self.max_line {
            return Err(LineFailure::TooLong { number: self.lines_read });
        }
        let line = self.buffer.get(line).unwrap_or_default();
        Ok(Some(line.strip_suffix(b"\r").unwrap_or(line)))
    }

    /// Takes the next line when it is `text` (its ending `\n` or `\r\n` already read), at the
    /// cost of a comparison instead of a search; otherwise leaves it to [`Self::next_line`].
    pub(crate) fn take_line_if(&mut self, text: &[u8]) -> bool {
        let unreturned = self.buffer.get(self.start..self.filled).unwrap_or_default();
        let ending = match unreturned.strip_prefix(text) {
            Some([b'\n', ..]) => 1,
            Some([b'\r', b'\n', ..]) => 2,
            _ => return false,
        };
        self.start += text.len() + ending;
        self.lines_read += 1;
        true
    }

    /// Moves the unreturned bytes to the front and reads a block after them.
    fn fill(&mut self) -> io::Result<()> {
        self.buffer.copy_within(self.start..self.filled, 0);
        self.filled -= self.start;
        self.start = 0;
        if self.buffer.len() < self.filled + BLOCK_BYTES {
            self.buffer.resize(self.filled + BLOCK_BYTES, 0);
        }
        loop {
            match self.input.read(self.buffer.get_mut(self.filled..).unwrap_or_default()) {
                Ok(0) => {
                    self.at_end = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.filled += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per read.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            let (now, later) = self.bytes.split_at(n);
            buf[..n].copy_from_slice(now);
            self.bytes = later;
            Ok(n)
        }
    }

    fn all(bytes: &[u8], step: usize, max_line: usize) -> Vec<Result<String, String>> {
        let mut lines = BlockLines::new(Trickle { bytes, step }, max_line);
        let mut out = Vec::new();
        loop {
            match lines.next_line() {
                Ok(Some(line)) => out.push(Ok(String::from_utf8_lossy(line).into_owned())),
                Ok(None) => return out,
                Err(LineFailure::TooLong { number }) => {
                    out.push(Err(format!("line {number} too long")));
                    return out;
                }
                Err(LineFailure::Io(e)) => {
                    out.push(Err(e.to_string()));
                    return out;
                }
            }
        }
    }

    #[test]
    fn splits_lines_whatever_the_reads() {
        let text = b"a\r\nbb\n\nccc\r\nlast";
        let expected: Vec<Result<String, String>> = ["a", "bb", "", "ccc", "last"].map(|s| Ok(s.to_owned())).into();
        for step in [1, 2, 3, 7, 100] {
            assert_eq!(all(text, step, 10), expected, "{step}");
        }
        assert!(all(b"", 1, 10).is_empty());
        assert_eq!(all(b"x\n", 1, 10), [Ok::<_, String>("x".to_owned())]);
    }

    #[test]
    fn takes_a_line_only_when_it_is_the_one_expected() {
        let mut lines = BlockLines::new(Trickle { bytes: b"db\ndb\r\ndbx\ndb", step: 100 }, 10);
        // Nothing read yet: the line is left to `next_line`.
        assert!(!lines.take_line_if(b"db"));
        assert_eq!(lines.next_line().unwrap(), Some(&b"db"[..]));
        assert!(lines.take_line_if(b"db"));
        assert!(!lines.take_line_if(b"db"));
        assert_eq!(lines.lines_read(), 2);
        assert_eq!(lines.next_line().unwrap(), Some(&b"dbx"[..]));
        // A last line without its newline is left to `next_line`.
        assert!(!lines.take_line_if(b"db"));
        assert_eq!(lines.next_line().unwrap(), Some(&b"db"[..]));
        assert_eq!(lines.lines_read(), 4);
    }

    #[test]
    fn numbers_lines_and_bounds_them() {
        let long = b"ok\n0123456789\n01234567890\nnever";
        let lines = all(long, 4, 10);
        assert_eq!(lines, [Ok("ok".to_owned()), Ok("0123456789".to_owned()), Err("line 3 too long".to_owned())]);
        // Without a newline in sight: refused once the limit is passed, not read to the end.
        let endless = vec![b'x'; 3 * BLOCK_BYTES];
        assert_eq!(all(&endless, BLOCK_BYTES, 100), [Err("line 1 too long".to_owned())]);
    }
}
