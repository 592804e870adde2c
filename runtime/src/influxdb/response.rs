//! InfluxDB 1.x `/query` replies: their JSON shape, the merging of a chunked reply's pieces, and
//! the turning of each series into a [`Batch`] the way Kapacitor reads a query result.
//!
//! What Kapacitor does with a series (and so what we do): one batch per series, named after the
//! measurement, tagged with the series' GROUP BY tags (each point gets those same tags); every
//! number becomes a float (InfluxDB's JSON does not say int or float, and Kapacitor decodes
//! numbers as float64), a null value is left out of the point, and a row whose values are all
//! null is dropped.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::point::{Batch, BatchPoint, Dimensions, FieldValue, Fields, GroupKey, Tags, Time};
use crate::time::parse_rfc3339;
use crate::node::group::group_key;

/// One JSON object of a `/query` reply (a chunked reply is a sequence of them).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct QueryResponse {
    #[serde(default)]
    pub results: Vec<StatementResult>,
    /// An error about the whole request (a bad parameter, an unparsable query).
    #[serde(default)]
    pub error: Option<String>,
}

/// The result of one statement of the query.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct StatementResult {
    #[serde(default)]
    pub statement_id: u64,
    #[serde(default)]
    pub series: Vec<Series>,
    /// The statement failed (unknown database, bad function...): InfluxDB still answers 200.
    #[serde(default)]
    pub error: Option<String>,
    /// In a chunked reply: more of this statement's series follow in later chunks.
    #[serde(default)]
    pub partial: bool,
}

/// One series of a result: a measurement and a GROUP BY tag set, with its rows.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Series {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub values: Vec<Vec<Value>>,
    /// In a chunked reply: more rows of this series follow in the next chunk.
    #[serde(default)]
    pub partial: bool,
}

/// Why a reply could not be turned into batches.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseError {
    /// The reply is not the JSON InfluxDB sends.
    Json(String),
    /// The request as a whole failed (`{"error": "..."}`).
    Request(String),
    /// A statement failed (`{"results":[{"statement_id":0,"error":"..."}]}`).
    Statement { statement_id: u64, message: String },
    /// A series has no `time` column.
    MissingTime { series: String },
    /// A `time` value that is neither epoch nanoseconds nor an RFC 3339 string.
    BadTime { series: String, value: String },
    /// A value that is no number, string, boolean or null.
    BadValue {
        series: String,
        column: String,
        value: String,
    },
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::Json(e) => write!(f, "the InfluxDB reply is not valid JSON: {e}"),
            ResponseError::Request(message) => write!(f, "InfluxDB refused the query: {message}"),
            ResponseError::Statement {
                statement_id,
                message,
            } => {
                write!(f, "InfluxDB statement {statement_id} failed: {message}")
            }
            ResponseError::MissingTime { series } => {
                write!(f, "series {series:?} has no time column")
            }
            ResponseError::BadTime { series, value } => {
                write!(f, "series {series:?} has an unexpected time value {value}")
            }
            ResponseError::BadValue {
                series,
                column,
                value,
            } => {
                write!(
                    f,
                    "series {series:?} has an unexpected value {value} in column {column:?}"
                )
            }
        }
    }
}

impl std::error::Error for ResponseError {}

/// Reads a `/query` reply, chunked (several JSON objects one after the other) or not, and
/// returns each statement's series with the pieces of a chunked reply put back together. The
/// first error InfluxDB reports, for the request or for a statement, is returned as an error.
pub fn read_query_response(reader: impl std::io::Read) -> Result<Vec<Series>, ResponseError> {
    let chunks = serde_json::Deserializer::from_reader(reader).into_iter::<QueryResponse>();
    let mut merged: Vec<StatementResult> = Vec::new();
    for chunk in chunks {
        let chunk = chunk.map_err(|e| ResponseError::Json(e.to_string()))?;
        if let Some(message) = chunk.error {
            return Err(ResponseError::Request(message));
        }
        for result in chunk.results {
            if let Some(message) = result.error {
                return Err(ResponseError::Statement {
                    statement_id: result.statement_id,
                    message,
                });
            }
            merge_result(&mut merged, result);
        }
    }
    Ok(merged
        .into_iter()
        .flat_map(|result| result.series)
        .collect())
}

/// Adds one chunk's result for a statement, continuing the series the previous chunk left
/// partial.
fn merge_result(merged: &mut Vec<StatementResult>, result: StatementResult) {
    let Some(previous) = merged
        .last_mut()
        .filter(|previous| previous.statement_id == result.statement_id)
    else {
        merged.push(result);
        return;
    };
    previous.partial = result.partial;
    for series in result.series {
        match previous.series.last_mut() {
            Some(last) if last.partial && last.name == series.name && last.tags == series.tags => {
                last.values.extend(series.values);
                last.partial = series.partial;
            }
            _ => previous.series.push(series),
        }
    }
}

/// The dimensions and group key of a batch named `name` with group tags `tags`, as Kapacitor
/// builds them for a query's series and for a recorded batch: every tag is a dimension; grouping
/// by measurement puts the name first, followed by a newline (a character no name may hold).
pub fn batch_group(name: &str, tags: &Tags, by_measurement: bool) -> (Dimensions, GroupKey) {
    let dimensions = Dimensions { by_measurement, tag_names: tags.entries().map(|(k, _)| k.clone()).collect() };
    let key = group_key(name, tags, &dimensions);
    (dimensions, key)
}

/// Turns one series into a batch. The batch's time is its latest point's time, or 0 when no
/// row had a value (the query node then decides the batch time, see `node::query`).
pub fn series_to_batch(series: Series, by_measurement: bool) -> Result<Batch, ResponseError> {
    let time_column = series
        .columns
        .iter()
        .position(|c| c == "time")
        .ok_or_else(|| ResponseError::MissingTime {
            series: series.name.clone(),
        })?;
    let tags: Tags = series.tags.into_iter().collect();
    let mut points = Vec::with_capacity(series.values.len());
    let mut latest: Option<Time> = None;
    for row in series.values {
        let mut time = None;
        let mut fields = Fields::new();
        for (index, (column, value)) in series.columns.iter().zip(row).enumerate() {
            if index == time_column {
                time = Some(decode_time(&value).ok_or_else(|| ResponseError::BadTime {
                    series: series.name.clone(),
                    value: value.to_string(),
                })?);
                continue;
            }
            let value = match value {
                Value::Null => continue,
                Value::Number(n) => FieldValue::Float(n.as_f64().unwrap_or(f64::NAN)),
                Value::String(s) => FieldValue::String(s),
                Value::Bool(b) => FieldValue::Bool(b),
                other @ (Value::Array(_) | Value::Object(_)) => {
                    return Err(ResponseError::BadValue {
                        series: series.name.clone(),
                        column: column.clone(),
                        value: other.to_string(),
                    });
                }
            };
            fields.insert(column.clone(), value);
        }
        let Some(time) = time else {
            return Err(ResponseError::MissingTime {
                series: series.name.clone(),
            });
        };
        if fields.is_empty() {
            continue;
        }
        latest = Some(latest.map_or(time, |t| t.max(time)));
        points.push(BatchPoint {
            time,
            fields,
            tags: tags.clone(),
        });
    }
    let (dimensions, group) = batch_group(&series.name, &tags, by_measurement);
    Ok(Batch {
        name: series.name.into(),
        time: latest.unwrap_or(0),
        tags,
        dimensions,
        group,
        points,
    })
}

/// A `time` value: epoch nanoseconds (`epoch=ns`) or an RFC 3339 string (no `epoch`).
fn decode_time(value: &Value) -> Option<Time> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => parse_rfc3339(s).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Series>, String> {
        read_query_response(text.as_bytes()).map_err(|e| e.to_string())
    }

    fn batches(text: &str, by_measurement: bool) -> Vec<Batch> {
        read(text)
            .unwrap()
            .into_iter()
            .map(|s| series_to_batch(s, by_measurement).unwrap())
            .collect()
    }

    /// A compact text form of batches for snapshots.
    fn show(batches: &[Batch]) -> String {
        batches
            .iter()
            .map(|b| {
                let points: Vec<String> = b
                    .points
                    .iter()
                    .map(|p| format!("  {} {:?} {:?}", p.time, p.fields, p.tags))
                    .collect();
                format!(
                    "{} time={} group={:?} dims={:?}\n{}",
                    b.name,
                    b.time,
                    b.group.as_str(),
                    b.dimensions.tag_names,
                    points.join("\n")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn one_batch_per_series_with_numbers_as_floats() {
        let reply = r#"{"results":[{"statement_id":0,"series":[
            {"name":"cpu","tags":{"cpu":"cpu0","host":"a"},"columns":["time","mean","n","s","ok"],
             "values":[[60000000000,78.5,3,"x",true],[120000000000,79,4,"y",false]]},
            {"name":"cpu","tags":{"cpu":"cpu1","host":"a"},"columns":["time","mean","n","s","ok"],
             "values":[[60000000000,1.25,1,"z",true]]}]}]}"#;
        insta::assert_snapshot!(show(&batches(reply, false)), @r#"
        cpu time=120000000000 group="cpu=cpu0,host=a" dims=["cpu", "host"]
          60000000000 {"mean": Float(78.5), "n": Float(3.0), "ok": Bool(true), "s": String("x")} {"cpu": "cpu0", "host": "a"}
          120000000000 {"mean": Float(79.0), "n": Float(4.0), "ok": Bool(false), "s": String("y")} {"cpu": "cpu0", "host": "a"}
        cpu time=60000000000 group="cpu=cpu1,host=a" dims=["cpu", "host"]
          60000000000 {"mean": Float(1.25), "n": Float(1.0), "ok": Bool(true), "s": String("z")} {"cpu": "cpu1", "host": "a"}
        "#);
    }

    #[test]
    fn nulls_are_left_out_and_all_null_rows_dropped() {
        let reply = r#"{"results":[{"statement_id":0,"series":[{"name":"load","tags":{"host":"a"},
            "columns":["time","mean","max"],
            "values":[[1,null,null],[2,5,null],[3,null,null],[4,6,7],[5,null,null]]}]}]}"#;
        insta::assert_snapshot!(show(&batches(reply, false)), @r#"
        load time=4 group="host=a" dims=["host"]
          2 {"mean": Float(5.0)} {"host": "a"}
          4 {"max": Float(7.0), "mean": Float(6.0)} {"host": "a"}
        "#);
        let all_null = r#"{"results":[{"statement_id":0,"series":[{"name":"load",
            "columns":["time","mean"],"values":[[1,null]]}]}]}"#;
        let batch = &batches(all_null, false)[0];
        assert!(batch.points.is_empty());
        assert_eq!((batch.time, batch.group.as_str()), (0, ""));
    }

    #[test]
    fn rfc3339_times_are_read_too() {
        let reply = r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],
            "values":[["2023-11-14T22:15:00Z",1],["2023-11-14T22:15:00.5Z",2]]}]}]}"#;
        let batch = &batches(reply, false)[0];
        let times: Vec<Time> = batch.points.iter().map(|p| p.time).collect();
        assert_eq!(
            times,
            [1_700_000_100_000_000_000, 1_700_000_100_500_000_000]
        );
    }

    #[test]
    fn empty_results_give_no_series() {
        assert_eq!(read(r#"{"results":[{"statement_id":0}]}"#), Ok(vec![]));
        assert_eq!(read(r#"{"results":[]}"#), Ok(vec![]));
        assert_eq!(read(""), Ok(vec![]));
    }

    #[test]
    fn chunks_are_merged_back_into_series() {
        // What InfluxDB sends for chunked=true&chunk_size=2 over two series of three rows.
        let reply = concat!(
            r#"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"cpu":"cpu0"},"columns":["time","v"],"values":[[1,1],[2,2]],"partial":true}],"partial":true}]}"#,
            "\n",
            r#"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"cpu":"cpu0"},"columns":["time","v"],"values":[[3,3]]}],"partial":true}]}"#,
            "\n",
            r#"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"cpu":"cpu1"},"columns":["time","v"],"values":[[1,10],[2,20]],"partial":true}],"partial":true}]}"#,
            "\n",
            r#"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"cpu":"cpu1"},"columns":["time","v"],"values":[[3,30]]}]}]}"#,
            "\n",
        );
        let series = read(reply).unwrap();
        let shape: Vec<(String, usize)> = series
            .iter()
            .map(|s| (format!("{:?}", s.tags), s.values.len()))
            .collect();
        assert_eq!(
            shape,
            [
                (r#"{"cpu": "cpu0"}"#.to_owned(), 3),
                (r#"{"cpu": "cpu1"}"#.to_owned(), 3)
            ]
        );
    }

    #[test]
    fn a_finished_series_is_not_continued_by_the_next_chunk() {
        // Same name and tags, but the first one was complete: two series (two statements'
        // worth of data in InfluxDB terms), not one.
        let reply = concat!(
            r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[1,1]]}],"partial":true}]}"#,
            r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[2,2]]}]}]}"#,
        );
        assert_eq!(read(reply).unwrap().len(), 2);
    }

    #[test]
    fn errors_inside_a_200_reply() {
        insta::assert_snapshot!(
            read(r#"{"results":[{"statement_id":0,"error":"database not found: nodb"}]}"#).unwrap_err(),
            @"InfluxDB statement 0 failed: database not found: nodb"
        );
        insta::assert_snapshot!(
            read(r#"{"error":"error parsing query: found EOF, expected FROM at line 1, char 9"}"#).unwrap_err(),
            @"InfluxDB refused the query: error parsing query: found EOF, expected FROM at line 1, char 9"
        );
        // A chunked reply whose later chunk fails.
        let reply = concat!(
            r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[1,1]]}],"partial":true}]}"#,
            r#"{"results":[{"statement_id":0,"error":"max-select-point limit exceeeded"}]}"#,
        );
        assert!(read(reply).unwrap_err().contains("limit"));
        assert!(
            read("{\"results\":[")
                .unwrap_err()
                .starts_with("the InfluxDB reply is not valid JSON")
        );
    }

    #[test]
    fn bad_values_are_errors_not_panics() {
        let cases = [
            (
                r#"{"name":"m","columns":["v"],"values":[[1]]}"#,
                "series \"m\" has no time column",
            ),
            (
                r#"{"name":"m","columns":["time","v"],"values":[[true,1]]}"#,
                "series \"m\" has an unexpected time value true",
            ),
            (
                r#"{"name":"m","columns":["time","v"],"values":[["yesterday",1]]}"#,
                "series \"m\" has an unexpected time value \"yesterday\"",
            ),
            (
                r#"{"name":"m","columns":["time","v"],"values":[[1,[1,2]]]}"#,
                "series \"m\" has an unexpected value [1,2] in column \"v\"",
            ),
            (
                r#"{"name":"m","columns":["time","v"],"values":[[]]}"#,
                "series \"m\" has no time column",
            ),
        ];
        for (series, expected) in cases {
            let series: Series = serde_json::from_str(series).unwrap();
            assert_eq!(
                series_to_batch(series, false).unwrap_err().to_string(),
                expected
            );
        }
    }

    #[test]
    fn group_keys_match_kapacitor() {
        let tags = Tags::from_pairs([("host".into(), "a".into()), ("cpu".into(), "0".into())]);
        assert_eq!(batch_group("cpu", &tags, false).1.as_str(), "cpu=0,host=a");
        assert_eq!(
            batch_group("cpu", &tags, true).1.as_str(),
            "cpu\ncpu=0,host=a"
        );
        assert_eq!(batch_group("cpu", &Tags::new(), true).1.as_str(), "cpu");
        assert_eq!(batch_group("cpu", &Tags::new(), false).1.as_str(), "");
        assert_eq!(*batch_group("cpu", &tags, true).0.tag_names, ["cpu", "host"]);
    }
}
