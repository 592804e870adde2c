//! Why a line of line protocol was rejected, and where.

use std::fmt;

/// The largest measurement-plus-tags section InfluxDB accepts, in bytes (as written, escapes
/// included).
pub const MAX_KEY_LENGTH: usize = 65_535;

/// The reasons InfluxDB 1.x gives for rejecting a line. The first words of each message are
/// InfluxDB's own, so users can search for them; some add what InfluxDB leaves unsaid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineErrorKind {
    MissingMeasurement,
    /// The line ends before its field set.
    MissingFields,
    MissingTagKey,
    MissingTagValue,
    /// An unescaped `=` inside a tag value.
    InvalidTagFormat,
    DuplicateTag {
        key: String,
    },
    KeyTooLong {
        length: usize,
    },
    MissingFieldKey,
    MissingFieldValue,
    /// A field without `=`, a trailing comma, an empty field set.
    InvalidFieldFormat,
    UnbalancedQuotes,
    /// A string field's closing quote followed by something other than `,`, a space or the end.
    TextAfterString,
    InvalidNumber,
    /// A well-formed float that does not fit an `f64`.
    InvalidFloat,
    IntegerOutOfRange,
    /// An unsigned (`u`) field above `i64::MAX`: the point model has signed integers only.
    UnsignedOutOfRange,
    InvalidBoolean,
    BadTimestamp,
    /// The timestamp's digits do not fit an `i64`.
    TimestampOutOfRange,
    /// The timestamp, scaled to nanoseconds by the precision, leaves InfluxDB's time range.
    TimeOutsideRange,
    /// Something other than spaces after the timestamp.
    TrailingText,
}

impl fmt::Display for LineErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineErrorKind::MissingMeasurement => f.write_str("missing measurement"),
            LineErrorKind::MissingFields => f.write_str("missing fields"),
            LineErrorKind::MissingTagKey => f.write_str("missing tag key"),
            LineErrorKind::MissingTagValue => f.write_str("missing tag value"),
            LineErrorKind::InvalidTagFormat => {
                f.write_str("invalid tag format (an '=' inside a tag value must be escaped as '\\=')")
            }
            LineErrorKind::DuplicateTag { key } => write!(f, "duplicate tags: {key:?} appears more than once"),
            LineErrorKind::KeyTooLong { length } => {
                write!(f, "max key length exceeded: {length} > {MAX_KEY_LENGTH}")
            }
            LineErrorKind::MissingFieldKey => f.write_str("missing field key"),
            LineErrorKind::MissingFieldValue => f.write_str("missing field value"),
            LineErrorKind::InvalidFieldFormat => f.write_str("invalid field format (expected key=value)"),
            LineErrorKind::UnbalancedQuotes => f.write_str("unbalanced quotes"),
            LineErrorKind::TextAfterString => {
                f.write_str("invalid field format (text after the closing quote of a string)")
            }
            LineErrorKind::InvalidNumber => f.write_str("invalid number"),
            LineErrorKind::InvalidFloat => f.write_str("invalid float (out of range)"),
            LineErrorKind::IntegerOutOfRange => f.write_str("integer out of range for a 64-bit signed integer"),
            LineErrorKind::UnsignedOutOfRange => {
                f.write_str("unsigned integer out of range (at most 9223372036854775807 is supported)")
            }
            LineErrorKind::InvalidBoolean => {
                f.write_str("invalid boolean (expected t, T, true, True, TRUE, f, F, false, False or FALSE)")
            }
            LineErrorKind::BadTimestamp => f.write_str("bad timestamp (expected an integer)"),
            LineErrorKind::TimestampOutOfRange => f.write_str("timestamp out of range for a 64-bit integer"),
            LineErrorKind::TimeOutsideRange => {
                f.write_str("time outside range -9223372036854775806 - 9223372036854775806")
            }
            LineErrorKind::TrailingText => f.write_str("point is invalid (unexpected text after the timestamp)"),
        }
    }
}

/// A rejected line: the reason and the byte offset (0-based, in the line as given, leading
/// whitespace included) where the parser noticed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub kind: LineErrorKind,
    pub offset: usize,
}

impl LineError {
    pub(crate) fn new(kind: LineErrorKind, offset: usize) -> Self {
        LineError { kind, offset }
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

impl std::error::Error for LineError {}
