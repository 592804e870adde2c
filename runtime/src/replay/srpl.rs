//! Kapacitor's stream recordings (`.srpl`): three lines per point (database, retention policy,
//! the point as line protocol), plain or gzip-compressed (Kapacitor writes them gzipped; the
//! conformance cases are plain). Either is recognised by its first bytes.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::block_lines::{BlockLines, LineFailure};
use crate::lineproto::{BadLine, SeriesCache, SeriesId};
use crate::point::{Dimensions, Fields, GroupKey, Point, Str, Tags, Time, intern_str};
use crate::time::Precision;

/// The longest line a recording may hold; a longer one means the file is not a recording (and
/// reading it whole could exhaust memory).
pub const MAX_LINE_BYTES: usize = 4 << 20;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Why a recording could not be read (fatal: reading stops) or a point in it was rejected
/// (the reader goes on with the next point).
#[derive(Debug)]
pub enum SrplError {
    Io(io::Error),
    /// The file ends after `line`, inside a point's three lines.
    Truncated {
        line: usize,
    },
    LineTooLong {
        line: usize,
    },
    /// A point line that is not valid line protocol.
    BadPoint(BadLine),
    /// A point line without a timestamp: a recording's data time is its timestamps.
    MissingTimestamp {
        line: usize,
    },
}

impl SrplError {
    /// Whether reading can go on after this error.
    fn is_fatal(&self) -> bool {
        matches!(
            self,
            SrplError::Io(_) | SrplError::Truncated { .. } | SrplError::LineTooLong { .. }
        )
    }
}

impl fmt::Display for SrplError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SrplError::Io(e) => write!(f, "reading the recording failed: {e}"),
            SrplError::Truncated { line } => write!(
                f,
                "line {line}: the recording ends inside a point (each point takes three lines: \
                 database, retention policy, line protocol)"
            ),
            SrplError::LineTooLong { line } => {
                write!(
                    f,
                    "line {line}: longer than {MAX_LINE_BYTES} bytes; is this a stream recording?"
                )
            }
            SrplError::BadPoint(bad) => bad.fmt(f),
            SrplError::MissingTimestamp { line } => write!(f, "line {line}: the recorded point has no timestamp"),
        }
    }
}

impl std::error::Error for SrplError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SrplError::Io(e) => Some(e),
            SrplError::BadPoint(bad) => Some(bad),
            _ => None,
        }
    }
}

impl From<io::Error> for SrplError {
    fn from(e: io::Error) -> Self {
        SrplError::Io(e)
    }
}

/// The points of a stream recording, in file order, with the database and retention policy
/// recorded with each. After a fatal error the iterator ends.
pub struct SrplReader<'r> {
    lines: BlockLines<Box<dyn Read + Send + 'r>>,
    precision: Precision,
    finished: bool,
    /// The last point's database and retention policy.
    database: Str,
    retention_policy: Str,
    /// The series read so far.
    series: SeriesCache,
}

impl fmt::Debug for SrplReader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrplReader")
            .field("precision", &self.precision)
            .field("lines_read", &self.lines.lines_read())
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl SrplReader<'static> {
    /// Opens a recording file. `precision` is the unit of its timestamps: nanoseconds for
    /// recordings Kapacitor makes, seconds in Kapacitor's own test data.
    pub fn open(path: &Path, precision: Precision) -> io::Result<Self> {
        SrplReader::new(File::open(path)?, precision)
    }
}

impl<'r> SrplReader<'r> {
    /// Reads a recording from `input`, decompressing it if it starts with gzip's magic bytes.
    pub fn new(mut input: impl Read + Send + 'r, precision: Precision) -> io::Result<Self> {
        let mut magic = [0_u8; 2];
        let mut filled = 0;
        while filled < magic.len() {
            match input.read(&mut magic[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let whole = io::Cursor::new(magic).take(filled as u64).chain(input);
        let input: Box<dyn Read + Send + 'r> = if filled == magic.len() && magic == GZIP_MAGIC {
            Box::new(MultiGzDecoder::new(whole))
        } else {
            Box::new(whole)
        };
        Ok(SrplReader {
            lines: BlockLines::new(input, MAX_LINE_BYTES),
            precision,
            finished: false,
            database: Str::default(),
            retention_policy: Str::default(),
            series: SeriesCache::default(),
        })
    }

    /// The next point, in parts: its fields go into `fields` (whose memory is reused), the
    /// rest is told by the parts. What a replay keeps per series (the tasks its points go to,
    /// or its name and tags when another thread reads them) it keeps by the series' identity.
    pub fn next_parts(&mut self, fields: &mut Fields) -> Option<Result<PartsRead, SrplError>> {
        let SrplReader { lines, precision, finished, database, retention_policy, series } = self;
        if *finished {
            return None;
        }
        let read = read_point(lines, *precision, database, retention_policy, series, fields);
        match &read {
            Ok(None) => *finished = true,
            Err(e) => *finished = e.is_fatal(),
            Ok(Some(_)) => {}
        }
        read.transpose()
    }
}

/// A recorded point but for its fields (see [`SrplReader::next_parts`]).
#[derive(Debug, Clone)]
pub struct PointParts {
    pub database: Str,
    pub retention_policy: Str,
    pub name: Str,
    pub tags: Tags,
    pub time: Time,
}

/// What [`SrplReader::next_parts`] read: the point's parts, and its series as the reader's
/// cache knows it.
#[derive(Debug, Clone)]
pub struct PartsRead {
    pub parts: PointParts,
    pub series: SeriesId,
    /// The series' name or tags are not those of its last point (see
    /// [`crate::lineproto::SeriesLine::series_changed`]).
    pub series_changed: bool,
}

impl PointParts {
    /// The point, with `fields`.
    pub fn point(self, fields: Fields) -> Point {
        Point {
            database: self.database,
            retention_policy: self.retention_policy,
            name: self.name,
            tags: self.tags,
            fields,
            time: self.time,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }
}

/// Reads the next point's three lines: `None` at the end of the recording.
fn read_point<R: Read>(
    lines: &mut BlockLines<R>,
    precision: Precision,
    database: &mut Str,
    retention_policy: &mut Str,
    series: &mut SeriesCache,
    fields: &mut Fields,
) -> Result<Option<PartsRead>, SrplError> {
    // A recording names the same database and retention policy on nearly every point.
    if !lines.take_line_if(database.as_bytes()) {
        let Some(line) = next_line(lines)? else {
            return Ok(None);
        };
        reuse(database, line);
    }
    if !lines.take_line_if(retention_policy.as_bytes()) {
        reuse(retention_policy, line_of_point(lines)?);
    }
    // The point's line is the one after the last read.
    let number = lines.lines_read() + 1;
    let text = line_of_point(lines)?;
    let bad = |error| SrplError::BadPoint(BadLine::new(number, text, error));
    let mut read = series.read(text, precision).map_err(bad)?;
    let Some(time) = read.fields_in(fields).map_err(bad)? else {
        return Err(SrplError::MissingTimestamp { line: number });
    };
    Ok(Some(PartsRead {
        parts: PointParts {
            database: database.clone(),
            retention_policy: retention_policy.clone(),
            name: read.name().clone(),
            tags: read.tags().clone(),
            time,
        },
        series: read.id(),
        series_changed: read.series_changed(),
    }))
}

/// A line that must follow: the recording is cut short without it.
fn line_of_point<R: Read>(lines: &mut BlockLines<R>) -> Result<&[u8], SrplError> {
    let last = lines.lines_read();
    next_line(lines)?.ok_or(SrplError::Truncated { line: last })
}

fn next_line<R: Read>(lines: &mut BlockLines<R>) -> Result<Option<&[u8]>, SrplError> {
    lines.next_line().map_err(|failure| match failure {
        LineFailure::Io(e) => SrplError::Io(e),
        LineFailure::TooLong { number } => SrplError::LineTooLong { line: number },
    })
}

/// Sets `name` to the text of `line`, keeping the shared string when it is the same (a
/// recording names the same database on nearly every point).
fn reuse(name: &mut Str, line: &[u8]) {
    if name.as_bytes() != line {
        *name = intern_str(&String::from_utf8_lossy(line));
    }
}

impl Iterator for SrplReader<'_> {
    type Item = Result<Point, SrplError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut fields = Fields::default();
        self.next_parts(&mut fields).map(|read| read.map(|read| read.parts.point(fields)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::FieldValue;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    const RECORDING: &str = "telegraf\nautogen\nm,host=a,dc=east f=12.5,i=25i,s=\"s0\" 1700000000000000000\n\
                             telegraf\nautogen\nm,host=b f=7.0 1700000001000000000\n";

    fn read_all(bytes: &[u8], precision: Precision) -> Vec<Result<Point, String>> {
        SrplReader::new(bytes, precision)
            .unwrap()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn reads_plain_recordings() {
        let points: Vec<Point> = read_all(RECORDING.as_bytes(), Precision::Nanosecond)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(points.len(), 2);
        let first = &points[0];
        assert_eq!(
            (first.database.as_str(), first.retention_policy.as_str()),
            ("telegraf", "autogen")
        );
        assert_eq!(first.name, "m");
        assert_eq!(first.tags.get("dc").map(crate::point::Str::as_str), Some("east"));
        assert_eq!(first.fields.get("i"), Some(&FieldValue::Int(25)));
        assert_eq!(first.time, 1_700_000_000_000_000_000);
        assert_eq!(points[1].time, 1_700_000_001_000_000_000);
    }

    #[test]
    fn reads_gzip_recordings_like_plain_ones() {
        let plain = read_all(RECORDING.as_bytes(), Precision::Nanosecond);
        assert_eq!(read_all(&gzip(RECORDING.as_bytes()), Precision::Nanosecond), plain);
        // Concatenated gzip members read as one stream, as Go's gzip reader does.
        let mut two_members = gzip(&RECORDING.as_bytes()[..40]);
        two_members.extend(gzip(&RECORDING.as_bytes()[40..]));
        assert_eq!(read_all(&two_members, Precision::Nanosecond), plain);
    }

    #[test]
    fn applies_the_precision_and_accepts_crlf() {
        let points = read_all(b"db\r\nrp\r\ncpu v=1 1700000000\r\n", Precision::Second);
        assert_eq!(points.len(), 1);
        let point = points[0].as_ref().unwrap();
        assert_eq!((point.database.as_str(), point.time), ("db", 1_700_000_000_000_000_000));
    }

    #[test]
    fn reports_bad_points_and_goes_on() {
        let recording = b"db\nrp\ncpu v=1x 1\ndb\nrp\ncpu v=1\ndb\nrp\ncpu v=2 2\n";
        let results = read_all(recording, Precision::Nanosecond);
        assert_eq!(results.len(), 3);
        insta::assert_snapshot!(results[0].as_ref().unwrap_err(), @"line 3: invalid number at byte 6 in 'cpu v=1x 1'");
        insta::assert_snapshot!(results[1].as_ref().unwrap_err(), @"line 6: the recorded point has no timestamp");
        assert_eq!(results[2].as_ref().map(|p| p.time), Ok(2));
    }

    #[test]
    fn stops_at_a_truncated_recording() {
        let results = read_all(b"db\nrp\ncpu v=1 1\ndb\nrp", Precision::Nanosecond);
        assert_eq!(results.len(), 2);
        insta::assert_snapshot!(
            results[1].as_ref().unwrap_err(),
            @"line 5: the recording ends inside a point (each point takes three lines: database, retention policy, line protocol)"
        );
        assert!(read_all(b"", Precision::Nanosecond).is_empty());
        assert_eq!(read_all(&gzip(b""), Precision::Nanosecond).len(), 0);
    }

    #[test]
    fn refuses_endless_lines() {
        let mut recording = b"db\nrp\n".to_vec();
        recording.resize(recording.len() + MAX_LINE_BYTES + 10, b'x');
        let mut reader = SrplReader::new(recording.as_slice(), Precision::Nanosecond).unwrap();
        assert!(matches!(reader.next(), Some(Err(SrplError::LineTooLong { line: 3 }))));
        assert!(reader.next().is_none());
    }

    #[test]
    fn broken_gzip_is_an_io_error() {
        let mut truncated = gzip(RECORDING.as_bytes());
        truncated.truncate(truncated.len() / 2);
        let results: Vec<_> = SrplReader::new(truncated.as_slice(), Precision::Nanosecond)
            .unwrap()
            .collect();
        assert!(matches!(results.last(), Some(Err(SrplError::Io(_)))));
    }
}
