//! `|influxDBOut()`: writes every point (and every point of a batch) to InfluxDB as line
//! protocol, through a background writer so the pipeline never waits for InfluxDB.
//!
//! As in Kapacitor, a stream point goes to its own database and retention policy unless the
//! node names others, a batch's points to the node's (a batch has none of its own); the
//! measurement is the node's or the data's, and the node's `.tag()`s override the data's.
//! `.writeConsistency()` only matters to InfluxDB Enterprise clusters and is not sent.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::Node;
use crate::config::ProgramConfig;
use crate::influxdb::writer::{BackgroundWriter, WriteTarget, WriterOptions};
use crate::influxdb::{InfluxDbClient, InfluxDbConfig};
use crate::lineproto::write_line;
use crate::node::query::quote_identifier;
use crate::point::{Str, Dimensions, GroupKey, Message, Point, Tags};
use crate::time::Precision;

/// How many sends (a point, or a batch) may wait for the writer before new ones are dropped.
const QUEUE: usize = 10_000;

/// What a script sets on `|influxDBOut()`, with Kapacitor's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfluxDbOutConfig {
    /// `.cluster()`: the `[[influxdb]]` section by name; empty: the default one.
    pub cluster: String,
    /// Empty: the point's own.
    pub database: String,
    /// Empty: the point's own (the database's default for batches).
    pub retention_policy: String,
    /// Empty: the data's.
    pub measurement: String,
    /// `.tag(key, value)` calls, in order.
    pub tags: Vec<(String, String)>,
    /// `.precision()`: `s`, `ms`, `u`, `ns`...; anything else is nanoseconds.
    pub precision: String,
    /// `.buffer()`: points gathered per target before a write.
    pub buffer: usize,
    /// `.flushInterval()`.
    pub flush_interval: Duration,
    /// `.create()`: create the database (and retention policy) when the task starts.
    pub create: bool,
    /// `task cpu, node influxdb_out3`, for log lines.
    pub label: String,
}

/// `|influxDBOut()`.
#[derive(Debug)]
pub struct InfluxDbOutNode {
    database: String,
    retention_policy: String,
    measurement: Str,
    tags: Tags,
    precision: Precision,
    writer: BackgroundWriter,
    /// Points line protocol cannot carry (no writable field).
    unwritable: u64,
}

impl InfluxDbOutNode {
    /// The node writing to the program's InfluxDB (the default, or `.cluster()`); without one
    /// the task cannot start.
    pub fn start(config: InfluxDbOutConfig, program: &ProgramConfig) -> Result<InfluxDbOutNode, String> {
        let client = InfluxDbConfig::named(program, &config.cluster)
            .and_then(|c| InfluxDbClient::new(&c).map_err(|e| e.to_string()))?;
        Ok(InfluxDbOutNode::with_client(config, client))
    }

    pub fn with_client(config: InfluxDbOutConfig, client: InfluxDbClient) -> InfluxDbOutNode {
        let setup = config.create.then(|| {
            let mut statement = format!("CREATE DATABASE {}", quote_identifier(&config.database));
            if !config.retention_policy.is_empty() {
                statement.push_str(" WITH NAME ");
                statement.push_str(&quote_identifier(&config.retention_policy));
            }
            statement
        });
        let options = WriterOptions {
            buffer: config.buffer,
            flush_interval: config.flush_interval,
            setup,
            label: config.label,
        };
        InfluxDbOutNode {
            database: config.database,
            retention_policy: config.retention_policy,
            measurement: config.measurement.into(),
            tags: config.tags.into_iter().collect(),
            precision: Precision::from_write_param(&config.precision),
            writer: BackgroundWriter::start(client, options, QUEUE),
            unwritable: 0,
        }
    }

    /// Writes everything handed over so far and waits for it.
    pub fn flush(&self) {
        self.writer.flush();
    }

    /// Points InfluxDB accepted so far.
    pub fn points_written(&self) -> u64 {
        self.writer.stats().points_written.load(Ordering::Relaxed)
    }

    fn target(&self, database: &str, retention_policy: &str) -> WriteTarget {
        let pick = |own: &str, data: &str| if own.is_empty() { data.to_owned() } else { own.to_owned() };
        WriteTarget {
            database: pick(&self.database, database),
            retention_policy: pick(&self.retention_policy, retention_policy),
            precision: self.precision,
        }
    }

    /// Appends one point as a line of the node's measurement and tags; false when it cannot
    /// be written.
    fn append(&self, text: &mut String, point: &mut Point) -> bool {
        if !self.measurement.is_empty() {
            point.name.clone_from(&self.measurement);
        }
        for (key, value) in self.tags.iter() {
            point.tags.insert(key.to_owned(), value.to_owned());
        }
        write_line(text, point, self.precision).is_ok()
    }
}

impl Node for InfluxDbOutNode {
    fn push(&mut self, msg: Message, _out: &mut Vec<Message>) {
        let mut text = String::new();
        let mut written = 0;
        let target = match msg {
            Message::Point(mut point) => {
                if self.append(&mut text, &mut point) {
                    written += 1;
                } else {
                    self.unwritable += 1;
                }
                self.target(&point.database, &point.retention_policy)
            }
            Message::Batch(batch) => {
                for p in batch.points {
                    let mut point = Point {
                        database: Default::default(),
                        retention_policy: Default::default(),
                        name: batch.name.clone(),
                        tags: p.tags,
                        fields: p.fields,
                        time: p.time,
                        dimensions: Dimensions::default(),
                        group: GroupKey::default(),
                    };
                    if self.append(&mut text, &mut point) {
                        written += 1;
                    } else {
                        self.unwritable += 1;
                    }
                }
                self.target("", "")
            }
            // Nothing to write; the node has no children.
            Message::Barrier { .. } | Message::DeleteGroup { .. } => return,
        };
        if written > 0 {
            self.writer.send(&target, text, written);
        }
    }

    fn errors(&self) -> u64 {
        self.unwritable + self.writer.stats().write_errors.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::influxdb::Series;
    use crate::node::testing::{batch, batch_point, point, run};

    fn config(database: &str) -> InfluxDbOutConfig {
        InfluxDbOutConfig {
            cluster: String::new(),
            database: database.into(),
            retention_policy: "autogen".into(),
            measurement: String::new(),
            tags: Vec::new(),
            precision: String::new(),
            buffer: 1000,
            flush_interval: Duration::from_secs(10),
            create: true,
            label: "test".into(),
        }
    }

    /// The InfluxDB `tests/run.sh` starts, or `None` (with a notice) when there is none.
    fn influxdb() -> Option<InfluxDbClient> {
        let Ok(url) = std::env::var("INFLUXDB_URL") else {
            eprintln!("notice: INFLUXDB_URL is not set; skipping a test that writes to InfluxDB");
            return None;
        };
        Some(InfluxDbClient::new(&InfluxDbConfig::new(url)).unwrap())
    }

    /// A database of its own for each test, dropped first so reruns start clean.
    fn fresh_database(client: &InfluxDbClient, name: &str) -> String {
        let database = format!("tickc_{name}");
        client.execute(&format!("DROP DATABASE {}", quote_identifier(&database))).unwrap();
        database
    }

    /// The reply to `query`; nothing while the database does not exist yet.
    fn rows(client: &InfluxDbClient, database: &str, query: &str) -> Vec<Series> {
        client.select(query, Some(database)).unwrap_or_default()
    }

    #[test]
    fn without_an_influxdb_the_task_cannot_start() {
        let error = InfluxDbOutNode::start(config("db"), &ProgramConfig::default()).unwrap_err();
        assert!(error.contains("no InfluxDB is configured"), "{error}");
    }

    #[test]
    fn points_and_batches_are_written_and_read_back() {
        let Some(client) = influxdb() else { return };
        let database = fresh_database(&client, "influxdb_out_points");
        let mut out_config = config(&database);
        out_config.measurement = "copied".into();
        out_config.tags = vec![("source".into(), "tickc".into()), ("host".into(), "override".into())];
        out_config.precision = "s".into();
        let mut node = InfluxDbOutNode::with_client(out_config, client.clone());
        let second = 1_000_000_000;
        let out = run(
            &mut node,
            [
                Message::Point(point("cpu", &[("host", "a"), ("dc", "x")], &[("v", 1.5)], 10 * second + 7)),
                Message::Batch(batch(
                    "cpu",
                    &[],
                    vec![batch_point(&[("dc", "y")], &[("v", 2.0)], 20 * second), batch_point(&[], &[("v", 3.0)], 30 * second)],
                )),
            ],
        );
        assert!(out.is_empty(), "influxDBOut is terminal");
        node.flush();
        assert_eq!(node.points_written(), 3);
        assert_eq!(node.errors(), 0);
        let series = rows(&client, &database, "SELECT * FROM copied GROUP BY *");
        let mut seen: Vec<String> = series
            .iter()
            .flat_map(|s| {
                let tags = format!("{:?}", s.tags);
                s.values.iter().map(move |v| format!("{tags} {v:?}"))
            })
            .collect();
        seen.sort();
        insta::assert_snapshot!(seen.join("\n"), @r#"
{"dc": "", "host": "override", "source": "tickc"} [Number(30000000000), Number(3)]
{"dc": "x", "host": "override", "source": "tickc"} [Number(10000000000), Number(1.5)]
{"dc": "y", "host": "override", "source": "tickc"} [Number(20000000000), Number(2)]
"#);
    }

    #[test]
    fn a_buffer_of_one_writes_at_once_and_dropping_the_node_writes_the_rest() {
        let Some(client) = influxdb() else { return };
        let database = fresh_database(&client, "influxdb_out_buffer");
        let mut buffered = config(&database);
        buffered.buffer = 2;
        buffered.flush_interval = Duration::from_secs(3600);
        let mut node = InfluxDbOutNode::with_client(buffered, client.clone());
        let mut out = Vec::new();
        for time in 1..=3 {
            node.push(Message::Point(point("m", &[], &[("v", time as f64)], time)), &mut out);
        }
        // Two points fill the buffer; the third waits for the flush interval, or the end.
        let written = || rows(&client, &database, "SELECT count(v) FROM m");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while written().is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(format!("{:?}", written()[0].values), "[[Number(0), Number(2)]]");
        drop(node);
        assert_eq!(format!("{:?}", written()[0].values), "[[Number(0), Number(3)]]");
    }

    #[test]
    fn a_point_without_fields_is_an_error_and_not_sent() {
        let client = InfluxDbClient::new(&InfluxDbConfig::new("http://127.0.0.1:9")).unwrap();
        let mut cfg = config("db");
        cfg.create = false;
        let mut node = InfluxDbOutNode::with_client(cfg, client);
        run(&mut node, [Message::Point(point("m", &[], &[], 1))]);
        assert_eq!(node.errors(), 1);
    }
}
