//! Kapacitor's batch recordings (`.brpl`): a zip archive with one entry per query node of the
//! task (the i-th entry, in archive order, feeds the i-th query node; Kapacitor names them
//! `0`, `1`, …), each holding that node's batches as JSON objects one after the other:
//! `{"name","tmax","group","byname","tags","points":[{"fields","tags","time"}]}`.
//!
//! Read as Kapacitor's replay reads them: `group` is ignored (the group comes from the name,
//! the tags and `byname`), every number is a float, a point without tags takes the batch's,
//! a batch without points is skipped, and a batch's time is its `tmax` unless its last point
//! is later (or `tmax` is missing).

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use zip::ZipArchive;
use zip::read::ZipFile;
use zip::result::ZipError;

use crate::influxdb::batch_group;
use crate::point::{Batch, BatchPoint, FieldValue, Fields, Tags, Time};
use crate::time::parse_rfc3339;

/// Why a recording could not be read (fatal: its entry cannot be read on) or a batch in it was
/// rejected (the reader goes on with the next one).
#[derive(Debug)]
pub enum BrplError {
    /// Not a zip archive, or a damaged one.
    Zip(ZipError),
    /// The recording has no entry for that query node.
    NoEntry { index: usize, entries: usize },
    /// The entry's text is not a sequence of JSON objects.
    Json {
        entry: usize,
        error: serde_json::Error,
    },
    /// A JSON object that is not a batch.
    BadBatch {
        entry: usize,
        batch: usize,
        reason: String,
    },
}

impl fmt::Display for BrplError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrplError::Zip(e) => write!(f, "reading the batch recording failed: {e}"),
            BrplError::NoEntry { index, entries } => write!(
                f,
                "the batch recording has {entries} query entries, none for query node {index}"
            ),
            BrplError::Json { entry, error } => {
                write!(f, "entry {entry} of the batch recording: {error}")
            }
            BrplError::BadBatch {
                entry,
                batch,
                reason,
            } => {
                write!(
                    f,
                    "entry {entry}, batch {batch} of the batch recording: {reason}"
                )
            }
        }
    }
}

impl std::error::Error for BrplError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BrplError::Zip(e) => Some(e),
            BrplError::Json { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl From<ZipError> for BrplError {
    fn from(e: ZipError) -> Self {
        BrplError::Zip(e)
    }
}

/// An open batch recording.
pub struct BrplArchive<R> {
    archive: ZipArchive<R>,
}

impl<R: Read + Seek> fmt::Debug for BrplArchive<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrplArchive")
            .field("entries", &self.archive.len())
            .finish()
    }
}

impl BrplArchive<BufReader<File>> {
    pub fn open(path: &Path) -> Result<Self, BrplError> {
        let file = File::open(path).map_err(|e| BrplError::Zip(ZipError::Io(e)))?;
        BrplArchive::new(BufReader::new(file))
    }
}

impl<R: Read + Seek> BrplArchive<R> {
    pub fn new(reader: R) -> Result<Self, BrplError> {
        Ok(BrplArchive {
            archive: ZipArchive::new(reader)?,
        })
    }

    /// How many query nodes the recording has batches for.
    pub fn len(&self) -> usize {
        self.archive.len()
    }

    pub fn is_empty(&self) -> bool {
        self.archive.is_empty()
    }

    /// The batches recorded for the `index`-th query node, in recorded order.
    pub fn batches(&mut self, index: usize) -> Result<BrplBatches<'_, R>, BrplError> {
        let entries = self.archive.len();
        if index >= entries {
            return Err(BrplError::NoEntry { index, entries });
        }
        let file = self.archive.by_index(index)?;
        Ok(BrplBatches {
            values: serde_json::Deserializer::from_reader(file).into_iter(),
            entry: index,
            read: 0,
            finished: false,
        })
    }
}

/// The batches of one entry of a recording. After a fatal error the iterator ends.
pub struct BrplBatches<'a, R: Read> {
    values: serde_json::StreamDeserializer<'static, serde_json::de::IoRead<ZipFile<'a, R>>, Value>,
    entry: usize,
    read: usize,
    finished: bool,
}

impl<R: Read> fmt::Debug for BrplBatches<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrplBatches")
            .field("entry", &self.entry)
            .field("read", &self.read)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Iterator for BrplBatches<'_, R> {
    type Item = Result<Batch, BrplError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.finished {
            let value = match self.values.next()? {
                Ok(value) => value,
                Err(error) => {
                    // Past a syntax error there is no telling where the next batch starts.
                    self.finished = true;
                    return Some(Err(BrplError::Json {
                        entry: self.entry,
                        error,
                    }));
                }
            };
            self.read += 1;
            match recorded_batch(value) {
                Ok(Some(batch)) => return Some(Ok(batch)),
                Ok(None) => continue,
                Err(reason) => {
                    return Some(Err(BrplError::BadBatch {
                        entry: self.entry,
                        batch: self.read,
                        reason,
                    }));
                }
            }
        }
        None
    }
}

/// A batch as Kapacitor writes it into a recording.
#[derive(Deserialize)]
struct RecordedBatch {
    #[serde(default)]
    name: String,
    tmax: Option<String>,
    #[serde(default)]
    byname: bool,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    points: Option<Vec<RecordedPoint>>,
}

#[derive(Deserialize)]
struct RecordedPoint {
    #[serde(default)]
    fields: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
    time: String,
}

/// The batch a recorded JSON object stands for; none for a batch without points.
fn recorded_batch(value: Value) -> Result<Option<Batch>, String> {
    let recorded: RecordedBatch = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let points = recorded.points.unwrap_or_default();
    if points.is_empty() {
        return Ok(None);
    }
    let tags: Tags = recorded.tags.unwrap_or_default().into_iter().collect();
    let points = points
        .into_iter()
        .map(|p| recorded_point(p, &tags))
        .collect::<Result<Vec<_>, _>>()?;
    let last_time = points.last().map_or(0, |p| p.time);
    let tmax = recorded
        .tmax
        .as_deref()
        .map(recorded_time)
        .transpose()?
        .flatten();
    let (dimensions, group) = batch_group(&recorded.name, &tags, recorded.byname);
    Ok(Some(Batch {
        name: recorded.name.into(),
        time: tmax.map_or(last_time, |t| t.max(last_time)),
        tags,
        dimensions,
        group,
        points,
    }))
}

fn recorded_point(point: RecordedPoint, batch_tags: &Tags) -> Result<BatchPoint, String> {
    let mut fields = Fields::new();
    for (name, value) in point.fields.unwrap_or_default() {
        let value = match value {
            Value::Null => continue,
            // Kapacitor decodes every JSON number of a recording as a float64.
            Value::Number(n) => FieldValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => FieldValue::String(s),
            Value::Bool(b) => FieldValue::Bool(b),
            other @ (Value::Array(_) | Value::Object(_)) => {
                return Err(format!("field {name:?} has an unsupported value {other}"));
            }
        };
        fields.insert(name, value);
    }
    let tags = match point.tags {
        Some(tags) if !tags.is_empty() => tags.into_iter().collect(),
        _ => batch_tags.clone(),
    };
    let time = recorded_time(&point.time)?
        .ok_or_else(|| format!("point time {:?} is out of range", point.time))?;
    Ok(BatchPoint { time, fields, tags })
}

/// A recorded time; none for Go's zero time (year 1), which Kapacitor writes for an unset
/// `tmax`, and for any other time outside the nanosecond range.
fn recorded_time(text: &str) -> Result<Option<Time>, String> {
    match parse_rfc3339(text) {
        Ok(time) => Ok(Some(time)),
        Err(e) if e.reason.starts_with("outside the range") => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    /// A recording with one entry per text, as Kapacitor's archive writer makes it.
    fn recording(entries: &[&str]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (i, text) in entries.iter().enumerate() {
            writer
                .start_file(i.to_string(), SimpleFileOptions::default())
                .unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn read(bytes: Vec<u8>, index: usize) -> Vec<Result<Batch, String>> {
        let mut archive = BrplArchive::new(Cursor::new(bytes)).unwrap();
        archive
            .batches(index)
            .unwrap()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn reads_kapacitors_recorded_batches() {
        let entry = concat!(
            r#"{"name":"cpu_usage_idle","tmax":"2015-10-30T17:14:20Z","group":"ignored","tags":{"cpu":"cpu-total"},"points":[{"fields":{"mean":90.38281469458698,"n":3},"tags":null,"time":"2015-10-30T17:14:12Z"},{"fields":{"mean":86.5,"s":"x","ok":true,"gone":null},"tags":{"cpu":"cpu0","host":"a"},"time":"2015-10-30T17:14:14Z"}]}"#,
            "\n",
            // Pretty-printed over several lines, grouped by name, no tmax.
            "{\n  \"name\": \"mem\",\n  \"byname\": true,\n  \"tags\": {\"host\": \"a\"},\n  \"points\": [{\"fields\": {\"v\": 1}, \"time\": \"2015-10-30T17:14:30.5Z\"}]\n}\n",
        );
        let batches: Vec<Batch> = read(recording(&[entry]), 0)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        insta::assert_debug_snapshot!(batches, @r#"
        [
            Batch {
                name: "cpu_usage_idle",
                time: 1446225260000000000,
                tags: {
                    "cpu": "cpu-total",
                },
                dimensions: Dimensions {
                    by_measurement: false,
                    tag_names: [
                        "cpu",
                    ],
                },
                group: GroupKey(
                    "cpu=cpu-total",
                ),
                points: [
                    BatchPoint {
                        time: 1446225252000000000,
                        fields: {
                            "mean": Float(
                                90.38281469458698,
                            ),
                            "n": Float(
                                3.0,
                            ),
                        },
                        tags: {
                            "cpu": "cpu-total",
                        },
                    },
                    BatchPoint {
                        time: 1446225254000000000,
                        fields: {
                            "mean": Float(
                                86.5,
                            ),
                            "ok": Bool(
                                true,
                            ),
                            "s": String(
                                "x",
                            ),
                        },
                        tags: {
                            "cpu": "cpu0",
                            "host": "a",
                        },
                    },
                ],
            },
            Batch {
                name: "mem",
                time: 1446225270500000000,
                tags: {
                    "host": "a",
                },
                dimensions: Dimensions {
                    by_measurement: true,
                    tag_names: [
                        "host",
                    ],
                },
                group: GroupKey(
                    "mem\nhost=a",
                ),
                points: [
                    BatchPoint {
                        time: 1446225270500000000,
                        fields: {
                            "v": Float(
                                1.0,
                            ),
                        },
                        tags: {
                            "host": "a",
                        },
                    },
                ],
            },
        ]
        "#);
    }

    #[test]
    fn batch_time_is_tmax_unless_the_last_point_is_later() {
        let entry = concat!(
            r#"{"name":"m","tmax":"0001-01-01T00:00:00Z","points":[{"fields":{"v":1},"time":"2023-11-14T22:15:00Z"}]}"#,
            r#"{"name":"m","tmax":"2023-11-14T22:14:00Z","points":[{"fields":{"v":1},"time":"2023-11-14T22:15:00Z"}]}"#,
            r#"{"name":"m","tmax":"2023-11-14T22:16:00Z","points":[{"fields":{"v":1},"time":"2023-11-14T22:15:00Z"}]}"#,
        );
        let times: Vec<Time> = read(recording(&[entry]), 0)
            .into_iter()
            .map(|b| b.unwrap().time)
            .collect();
        let t = |s| parse_rfc3339(s).unwrap();
        assert_eq!(
            times,
            [
                t("2023-11-14T22:15:00Z"),
                t("2023-11-14T22:15:00Z"),
                t("2023-11-14T22:16:00Z")
            ]
        );
    }

    #[test]
    fn empty_batches_are_skipped_and_entries_are_per_query_node() {
        let first = r#"{"name":"a","points":[]}{"name":"a"}{"name":"a","points":[{"fields":{"v":1},"time":"2023-11-14T22:15:00Z"}]}"#;
        let second = r#"{"name":"b","points":[{"fields":{"v":2},"time":"2023-11-14T22:15:00Z"}]}"#;
        let bytes = recording(&[first, second]);
        assert_eq!(
            BrplArchive::new(Cursor::new(bytes.clone())).unwrap().len(),
            2
        );
        let names = |index| -> Vec<String> {
            read(bytes.clone(), index)
                .into_iter()
                .map(|b| b.unwrap().name.to_string())
                .collect()
        };
        assert_eq!(names(0), ["a"]);
        assert_eq!(names(1), ["b"]);
        let error = BrplArchive::new(Cursor::new(bytes))
            .unwrap()
            .batches(2)
            .unwrap_err();
        insta::assert_snapshot!(error, @"the batch recording has 2 query entries, none for query node 2");
    }

    #[test]
    fn bad_batches_are_reported_and_skipped() {
        let entry = concat!(
            r#"{"name":"m","points":[{"fields":{"v":[1]},"time":"2023-11-14T22:15:00Z"}]}"#,
            r#"{"name":"m","points":[{"fields":{"v":1},"time":"yesterday"}]}"#,
            r#"{"name":"m","points":"none"}"#,
            r#"{"name":"m","points":[{"fields":{"v":1},"time":"2023-11-14T22:15:00Z"}]}"#,
            r#"{"name":"m","#,
        );
        let results = read(recording(&[entry]), 0);
        insta::assert_debug_snapshot!(results.iter().map(|r| r.as_ref().map(|b| b.name.clone())).collect::<Vec<_>>(), @r#"
        [
            Err(
                "entry 0, batch 1 of the batch recording: field \"v\" has an unsupported value [1]",
            ),
            Err(
                "entry 0, batch 2 of the batch recording: invalid RFC 3339 time \"yesterday\": expected a four-digit year",
            ),
            Err(
                "entry 0, batch 3 of the batch recording: invalid type: string \"none\", expected a sequence",
            ),
            Ok(
                "m",
            ),
            Err(
                "entry 0 of the batch recording: EOF while parsing a value at line 1 column 247",
            ),
        ]
        "#);
    }

    #[test]
    fn not_a_zip_is_an_error() {
        let error =
            BrplArchive::new(Cursor::new(b"telegraf\nautogen\ncpu v=1 1\n".to_vec())).unwrap_err();
        assert!(matches!(error, BrplError::Zip(_)), "{error}");
    }
}
