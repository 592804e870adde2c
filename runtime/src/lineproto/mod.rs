//! InfluxDB 1.x line protocol: a zero-copy reader and a writer.
//!
//! Reading is built for ingest's hot path. [`peek_measurement`] routes a line before anything
//! else is decoded; [`parse_line`] checks the whole line once, without allocating (unless its
//! tags are out of order, which costs one small sort to find repeated keys), and returns
//! a [`LineView`] that reads tags and fields in place (unescaping only what has escapes);
//! [`LineView::to_point`] builds a full [`Point`](crate::point::Point) when one is needed.
//! Ingest's hot path goes through a [`SeriesCache`] instead: a line of a series seen before
//! skips the key's check, and its fields are checked and decoded once, into its point.
//! [`parse_body`] walks a request body line by line, so a caller can keep the good lines and
//! report each bad one with its number, as InfluxDB's partial writes do.
//!
//! What is accepted and rejected is InfluxDB 1.x's (as vendored by Kapacitor 1.5.7), including
//! its error wording, with four deliberate differences: CRLF line endings are accepted,
//! unsigned integers (`1u`) are accepted when they fit an `i64`, text after a string field's
//! closing quote is an error rather than silently mangled, and a byte order mark starting a
//! body is skipped.

mod body;
mod digits;
mod error;
mod escape;
mod field;
mod field_names;
mod key;
mod line;
mod series;
mod whitespace;
mod write;

pub use body::{BadLine, Line, Lines, ParsedLine, lines, parse_body};
pub use error::{LineError, LineErrorKind, MAX_KEY_LENGTH};
pub use field::{FieldValueRef, Fields};
pub use key::{Tags, peek_measurement};
pub use line::{LineView, parse_line};
pub use series::{DEFAULT_SERIES, SeriesCache, SeriesId, SeriesLine, SeriesTable};
pub use write::{UnwritablePoint, to_line_protocol, write_line};
