//! `test`: one task run over scripted inputs on a virtual clock, for `tickc test`. The inputs
//! are JSON lines (points, line-protocol lines, batches and clock ticks, with absolute times,
//! in the order they happen); what happened is written as JSON lines through a [`Tap`]: the
//! task's nodes first, then every alert event and what the chosen nodes emitted, in pipeline
//! order. Alert handlers do not run: a test writes no log file and posts nothing.
//!
//! The format is a contract with tickc's `testing` module (which writes the inputs and reads
//! the outcome); each side keeps its own serde types for it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Args;
use serde::Deserialize;
use serde_json::{Value, json};

use super::exit;
use crate::alert::Event;
use crate::delivery::{Delivery, Outbox};
use crate::influxdb::batch_group;
use crate::lineproto::parse_line;
use crate::point::{Batch, BatchPoint, FieldValue, Fields, Message, Point, Tags, Time};
use crate::tap::Tap;
use crate::task::{Task, TaskContext, TaskDescriptor, TaskKind};
use crate::time::Precision;

#[derive(Debug, Args)]
pub(super) struct TestArgs {
    /// The task to run (its id).
    #[arg(long)]
    task: String,
    /// The inputs, JSON lines; `-` reads standard input.
    #[arg(long)]
    input: PathBuf,
    /// Report what this node emits (its name as the DOT graph shows it: `window4`); repeatable.
    #[arg(long = "node")]
    nodes: Vec<String>,
}

/// One input, as tickc writes it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Input {
    /// A stream point; `db`/`rp` default to the task's first dbrp.
    Point {
        db: Option<String>,
        rp: Option<String>,
        name: String,
        #[serde(default)]
        tags: BTreeMap<String, String>,
        fields: BTreeMap<String, WireValue>,
        time: Time,
    },
    /// A line of line protocol (its own timestamp, if any, gives way to `time`).
    Line {
        db: Option<String>,
        rp: Option<String>,
        text: String,
        time: Time,
    },
    /// What the task's query node number `query` returns for one group.
    Batch {
        query: usize,
        name: String,
        time: Time,
        #[serde(default)]
        tags: BTreeMap<String, String>,
        points: Vec<WirePoint>,
    },
    /// The virtual wall clock reached `time`.
    Tick { time: Time },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePoint {
    time: Time,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    fields: BTreeMap<String, WireValue>,
}

/// A field value; JSON keeps integers (`5`) apart from floats (`5.0`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum WireValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    String(String),
}

impl From<WireValue> for FieldValue {
    fn from(v: WireValue) -> FieldValue {
        match v {
            WireValue::Int(i) => FieldValue::Int(i),
            WireValue::Float(f) => FieldValue::Float(f),
            WireValue::Bool(b) => FieldValue::Bool(b),
            WireValue::String(s) => FieldValue::String(s),
        }
    }
}

fn fields_of(wire: BTreeMap<String, WireValue>) -> Fields {
    wire.into_iter().map(|(k, v)| (k, v.into())).collect()
}

fn tags_of(wire: BTreeMap<String, String>) -> Tags {
    wire.into_iter().collect()
}

/// Why an input could not be applied; `offset` is the byte in a line-protocol text.
#[derive(Debug)]
struct InputError {
    message: String,
    offset: Option<usize>,
}

impl InputError {
    fn new(message: impl Into<String>) -> InputError {
        InputError { message: message.into(), offset: None }
    }
}

/// Writes the outcome as JSON lines. Tap calls come from the task's own (this) thread, so the
/// lock is never contended; a write error is kept and reported once at the end.
struct Collector {
    nodes: Vec<String>,
    out: Mutex<(Box<dyn Write + Send>, Option<std::io::Error>)>,
}

impl Collector {
    fn write(&self, line: &Value) {
        let mut guard = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let (out, failed) = &mut *guard;
        if failed.is_none()
            && let Err(e) = serde_json::to_writer(&mut *out, line).map_err(std::io::Error::from).and_then(|()| out.write_all(b"\n"))
        {
            *failed = Some(e);
        }
    }

    fn finish(&self) -> Result<(), std::io::Error> {
        let mut guard = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let (out, failed) = &mut *guard;
        match failed.take() {
            Some(e) => Err(e),
            None => out.flush(),
        }
    }
}

fn fields_json(fields: &Fields) -> Value {
    let map = fields
        .iter()
        .map(|(k, v)| {
            let value = match v {
                // JSON has no NaN or infinity: they arrive as null.
                FieldValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
                FieldValue::Int(i) => json!(i),
                FieldValue::String(s) => json!(s),
                FieldValue::Bool(b) => json!(b),
            };
            (k.to_owned(), value)
        })
        .collect();
    Value::Object(map)
}

fn tags_json(tags: &Tags) -> Value {
    Value::Object(tags.iter().map(|(k, v)| (k.to_owned(), json!(v))).collect())
}

/// A data message as JSON; barriers and delete-groups are not shown.
fn message_json(message: &Message) -> Option<Value> {
    Some(match message {
        Message::Point(p) => json!({"point": {
            "name": p.name, "time": p.time, "tags": tags_json(&p.tags), "fields": fields_json(&p.fields),
        }}),
        Message::Batch(b) => {
            let points: Vec<Value> = b
                .points
                .iter()
                .map(|p| json!({"time": p.time, "tags": tags_json(&p.tags), "fields": fields_json(&p.fields)}))
                .collect();
            json!({"batch": {"name": b.name, "time": b.time, "tags": tags_json(&b.tags), "points": points}})
        }
        Message::Barrier { .. } | Message::DeleteGroup { .. } => return None,
    })
}

impl Tap for Collector {
    fn emitted(&self, node: &str, messages: &[Message]) {
        if !self.nodes.iter().any(|n| n == node) {
            return;
        }
        for message in messages.iter().filter_map(message_json) {
            self.write(&json!({"emitted": {"node": node, "message": message}}));
        }
    }

    fn alert(&self, node: &str, event: &Event<'_>) {
        self.write(&json!({"alert": {
            "node": node,
            "id": event.id,
            "message": event.message,
            "details": event.details(),
            "time": event.time,
            "duration": event.duration,
            "level": event.level.as_str(),
            "previous_level": event.previous_level.as_str(),
            "tags": tags_json(event.tags),
            "fields": fields_json(event.fields),
        }}));
    }
}

/// Handlers stay silent under test.
struct DiscardOutbox;

impl Outbox for DiscardOutbox {
    fn send(&self, _: Delivery) {}
    fn flush(&self) {}
}

/// The task being tested, and what it needs to take inputs.
struct Run {
    descriptor: TaskDescriptor,
    task: Box<dyn Task>,
    /// `group_by_measurement` of each query node, for the batches' group keys.
    by_measurement: Vec<bool>,
}

impl Run {
    fn dbrp(&self, db: Option<String>, rp: Option<String>) -> (String, String) {
        let first = self.descriptor.dbrps.first();
        let db = db.or_else(|| first.map(|d| d.database.to_owned())).unwrap_or_default();
        let rp = rp.or_else(|| first.map(|d| d.retention_policy.to_owned())).unwrap_or_default();
        (db, rp)
    }

    fn push_point(&mut self, point: Point) -> Result<(), InputError> {
        if self.descriptor.kind != TaskKind::Stream {
            return Err(InputError::new(format!("task {} is a batch task: it takes batches, not points", self.descriptor.id)));
        }
        // As on the live stream: a point of another database or retention policy never
        // reaches the task.
        if self.descriptor.wants(&point.database, &point.retention_policy) {
            self.task.push_point(point);
        }
        Ok(())
    }

    fn apply(&mut self, input: Input) -> Result<(), InputError> {
        match input {
            Input::Point { db, rp, name, tags, fields, time } => {
                let (database, retention_policy) = self.dbrp(db, rp);
                let point = Point {
                    database: database.into(),
                    retention_policy: retention_policy.into(),
                    name: name.into(),
                    tags: tags_of(tags),
                    fields: fields_of(fields),
                    time,
                    dimensions: Default::default(),
                    group: Default::default(),
                };
                self.push_point(point)
            }
            Input::Line { db, rp, text, time } => {
                let (database, retention_policy) = self.dbrp(db, rp);
                let line = parse_line(text.as_bytes(), Precision::Nanosecond)
                    .map_err(|e| InputError { message: e.kind.to_string(), offset: Some(e.offset) })?;
                let mut point = line.to_point(&database, &retention_policy, time);
                point.time = time;
                self.push_point(point)
            }
            Input::Batch { query, name, time, tags, points } => {
                if self.descriptor.kind != TaskKind::Batch {
                    return Err(InputError::new(format!("task {} is a stream task: it takes points, not batches", self.descriptor.id)));
                }
                let Some(&by_measurement) = self.by_measurement.get(query) else {
                    return Err(InputError::new(format!(
                        "task {} has {} query node(s); there is no query {query}",
                        self.descriptor.id,
                        self.by_measurement.len()
                    )));
                };
                let tags = tags_of(tags);
                let (dimensions, group) = batch_group(&name, &tags, by_measurement);
                let points = points
                    .into_iter()
                    .map(|p| BatchPoint {
                        time: p.time,
                        fields: fields_of(p.fields),
                        // A point without tags of its own carries the group's, as a query's do.
                        tags: if p.tags.is_empty() { tags.clone() } else { tags_of(p.tags) },
                    })
                    .collect();
                self.task.push_batch(query, Batch { name: name.into(), time, tags, dimensions, group, points });
                Ok(())
            }
            Input::Tick { time } => {
                self.task.tick(time);
                Ok(())
            }
        }
    }
}

/// Runs `test` and returns the exit code: OK when every input was applied, USAGE for an
/// unknown task or a bad input (reported as an `error` line naming the input), FAILED when
/// the input cannot be read or the outcome cannot be written.
pub(super) fn run(tasks: &[TaskDescriptor], args: TestArgs) -> u8 {
    let Some(descriptor) = tasks.iter().find(|t| t.id == args.task) else {
        let known: Vec<&str> = tasks.iter().map(|t| t.id).collect();
        eprintln!("error: no task {:?} in this program (it has: {})", args.task, known.join(", "));
        return exit::USAGE;
    };
    let input: Box<dyn BufRead> = if args.input.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(&args.input) {
            Ok(f) => Box::new(BufReader::new(f)),
            Err(e) => {
                eprintln!("error: {}: {e}", args.input.display());
                return exit::FAILED;
            }
        }
    };
    let collector = Arc::new(Collector {
        nodes: args.nodes,
        out: Mutex::new((Box::new(BufWriter::new(std::io::stdout())), None)),
    });
    let code = run_task(descriptor, input, &collector);
    match collector.finish() {
        Ok(()) => code,
        Err(e) => {
            eprintln!("error: writing the outcome: {e}");
            exit::FAILED
        }
    }
}

fn run_task(descriptor: &TaskDescriptor, input: impl BufRead, collector: &Arc<Collector>) -> u8 {
    collector.write(&json!({"task": {"id": descriptor.id, "kind": descriptor.kind.as_str(), "nodes": descriptor.nodes}}));
    let context = TaskContext {
        tap: Some(collector.clone()),
        ..TaskContext::new(descriptor.id, Arc::new(DiscardOutbox))
    };
    let mut run = Run {
        descriptor: *descriptor,
        task: descriptor.start(&context),
        by_measurement: (descriptor.queries)().iter().map(|q| q.group_by_measurement).collect(),
    };
    for (index, line) in input.lines().enumerate() {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                eprintln!("error: reading input {index}: {e}");
                return exit::FAILED;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let applied = serde_json::from_str::<Input>(&line)
            .map_err(|e| InputError::new(format!("not an input: {e}")))
            .and_then(|input| run.apply(input));
        if let Err(e) = applied {
            collector.write(&json!({"error": {"input": index, "message": e.message, "offset": e.offset}}));
            return exit::USAGE;
        }
    }
    run.task.flush();
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{Dbrp, NodeStats, Routes};

    /// A two-node task: `stream0` emits every point, `double1` emits each with its value doubled.
    struct Doubler {
        tap: Option<Arc<dyn Tap>>,
        ticks: Vec<Time>,
    }

    impl Task for Doubler {
        fn push_point(&mut self, point: Point) {
            let Some(tap) = &self.tap else { return };
            let mut doubled = point.clone();
            if let Some(FieldValue::Float(v)) = doubled.fields.get_mut("v") {
                *v *= 2.0;
            }
            tap.emitted("stream0", &[Message::Point(point)]);
            tap.emitted("double1", &[Message::Point(doubled)]);
        }
        fn push_batch(&mut self, _: usize, _: Batch) {}
        fn flush(&mut self) {}
        fn stats(&self) -> Vec<NodeStats> {
            Vec::new()
        }
        fn tick(&mut self, now: Time) {
            self.ticks.push(now);
            if let Some(tap) = &self.tap {
                let tick = Point {
                    database: Default::default(),
                    retention_policy: Default::default(),
                    name: "tick".into(),
                    tags: Tags::new(),
                    fields: Fields::new(),
                    time: now,
                    dimensions: Default::default(),
                    group: Default::default(),
                };
                tap.emitted("double1", &[Message::Point(tick)]);
            }
        }
    }

    static DBRPS: &[Dbrp] = &[Dbrp { database: "db", retention_policy: "rp" }];

    fn descriptor() -> TaskDescriptor {
        TaskDescriptor {
            id: "doubler",
            kind: TaskKind::Stream,
            dbrps: DBRPS,
            script: "",
            nodes: &["stream0", "double1"],
            edges: &[(0, 1)],
            queries: Vec::new,
            new: |ctx| Box::new(Doubler { tap: ctx.tap.clone(), ticks: Vec::new() }),
            enabled: true,
            routes: Routes::Dbrps,
        }
    }

    /// Shares what the collector writes with the test.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn run_inputs(inputs: &str) -> (u8, String) {
        let shared = Shared::default();
        let collector =
            Arc::new(Collector { nodes: vec!["double1".into()], out: Mutex::new((Box::new(shared.clone()), None)) });
        let code = run_task(&descriptor(), inputs.as_bytes(), &collector);
        collector.finish().unwrap();
        let text = String::from_utf8(shared.0.lock().unwrap().clone()).unwrap();
        (code, text)
    }

    #[test]
    fn points_lines_and_ticks_reach_the_task_and_chosen_nodes_are_reported() {
        let (code, out) = run_inputs(concat!(
            r#"{"tick":{"time":5}}"#,
            "\n",
            r#"{"point":{"name":"m","tags":{"host":"a"},"fields":{"v":1.5},"time":10}}"#,
            "\n",
            r#"{"line":{"text":"m,host=b v=2,n=3i 999","time":20}}"#,
            "\n",
            r#"{"point":{"db":"other","name":"m","fields":{"v":1.0},"time":30}}"#,
            "\n",
        ));
        assert_eq!(code, exit::OK);
        insta::assert_snapshot!(out, @r#"
        {"task":{"id":"doubler","kind":"stream","nodes":["stream0","double1"]}}
        {"emitted":{"message":{"point":{"fields":{},"name":"tick","tags":{},"time":5}},"node":"double1"}}
        {"emitted":{"message":{"point":{"fields":{"v":3.0},"name":"m","tags":{"host":"a"},"time":10}},"node":"double1"}}
        {"emitted":{"message":{"point":{"fields":{"n":3,"v":4.0},"name":"m","tags":{"host":"b"},"time":20}},"node":"double1"}}
        "#);
    }

    #[test]
    fn a_bad_input_is_reported_with_its_number_and_stops_the_run() {
        let (code, out) = run_inputs(concat!(
            r#"{"point":{"name":"m","fields":{"v":1.0},"time":10}}"#,
            "\n",
            r#"{"line":{"text":"m,host=b v=","time":20}}"#,
            "\n",
            r#"{"point":{"name":"m","fields":{"v":1.0},"time":30}}"#,
            "\n",
        ));
        assert_eq!(code, exit::USAGE);
        let last: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        assert_eq!(last["error"]["input"], 1);
        assert_eq!(last["error"]["offset"], 11);
        assert!(!out.contains(r#""time":30"#), "{out}");
    }

    #[test]
    fn a_stream_task_refuses_batches() {
        let (code, out) =
            run_inputs(r#"{"batch":{"query":0,"name":"m","time":10,"points":[{"time":0,"fields":{"v":1.0}}]}}"#);
        assert_eq!(code, exit::USAGE);
        assert!(out.contains("is a stream task"), "{out}");
    }
}
