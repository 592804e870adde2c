//! `|log()`: writes each point (or each batch: a begin line, a line per point, an end line) to
//! the log in Kapacitor's logfmt, and passes the data on.
//!
//! A line reads `ts=… lvl=info msg=point service=kapacitor task_master=main task=… node=…
//! prefix=… name=cpu db=… rp=… group=host=a dimension_0=host tag_host=a field_v=1 time=…`.
//! Tags and fields come sorted by name (Kapacitor's order is Go's random map order); values
//! with a space, a quote or a control character are quoted.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Node;
use crate::point::{Batch, FieldValue, Fields, Message, Point, Tags, Time};
use crate::time::{format_rfc3339_nano, write_rfc3339_nano};

/// A log level, as `.level()` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum LogLevel {
    Debug,
    #[default]
    Info,
    Error,
}

impl LogLevel {
    /// The level `.level(name)` logs at: `DEBUG`, `ERROR`, anything else (`WARN` included)
    /// is info, as in Kapacitor. Case does not matter.
    pub fn from_name(name: &str) -> LogLevel {
        match name.to_ascii_uppercase().as_str() {
            "DEBUG" => LogLevel::Debug,
            "ERROR" => LogLevel::Error,
            _ => LogLevel::Info,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Error => "error",
        }
    }
}

/// What a script sets on `|log()`, and where its lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    pub level: LogLevel,
    pub prefix: String,
    /// The task id and the node's name (`log2`), written on every line.
    pub task: String,
    pub node: String,
    /// Lines below this level are not written (the server's log level; info by default).
    pub min_level: LogLevel,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: LogLevel::Info,
            prefix: String::new(),
            task: String::new(),
            node: String::new(),
            min_level: LogLevel::Info,
        }
    }
}

/// `|log()`, writing to `W` (stderr unless told otherwise).
#[derive(Debug)]
pub struct LogNode<W: Write = io::Stderr> {
    config: LogConfig,
    sink: W,
    clock: fn() -> Time,
    /// The line being built, reused.
    line: String,
    errors: u64,
}

impl LogNode<io::Stderr> {
    pub fn to_stderr(config: LogConfig) -> Self {
        // Log lines are stamped with the time they are written, not the data time.
        LogNode::new(config, io::stderr(), crate::time::wall_clock_now)
    }
}

impl<W: Write> LogNode<W> {
    pub fn new(config: LogConfig, sink: W, clock: fn() -> Time) -> Self {
        LogNode {
            config,
            sink,
            clock,
            line: String::with_capacity(256),
            errors: 0,
        }
    }

    pub fn sink(&self) -> &W {
        &self.sink
    }

    /// Starts a line: timestamp, level, message, the task context and the prefix.
    fn begin_line(&mut self, msg: &str) {
        let now = (self.clock)();
        let seconds = format_rfc3339_nano(now.div_euclid(1_000_000_000) * 1_000_000_000);
        let millis = now.rem_euclid(1_000_000_000) / 1_000_000;
        self.line.clear();
        let _ = write!(
            self.line,
            "ts={}.{millis:03}Z lvl={} msg=",
            seconds.trim_end_matches('Z'),
            self.config.level.as_str()
        );
        write_value(&mut self.line, msg);
        self.line
            .push_str(" service=kapacitor task_master=main task=");
        write_value(&mut self.line, &self.config.task);
        self.line.push_str(" node=");
        write_value(&mut self.line, &self.config.node);
        self.line.push_str(" prefix=");
        write_value(&mut self.line, &self.config.prefix);
    }

    fn finish_line(&mut self, time: Time) {
        self.line.push_str(" time=");
        write_rfc3339_nano(&mut self.line, time);
        self.line.push('\n');
        if self.sink.write_all(self.line.as_bytes()).is_err() {
            self.errors += 1;
        }
    }

    fn log_point(&mut self, p: &Point) {
        self.begin_line("point");
        let line = &mut self.line;
        push_pair(line, "name", &p.name);
        push_pair(line, "db", &p.database);
        push_pair(line, "rp", &p.retention_policy);
        push_pair(line, "group", p.group.as_str());
        for (i, dimension) in p.dimensions.tag_names.iter().enumerate() {
            let _ = write!(line, " dimension_{i}=");
            write_value(line, dimension);
        }
        push_tags(line, &p.tags);
        push_fields(line, &p.fields);
        self.finish_line(p.time);
    }

    fn log_batch(&mut self, b: &Batch) {
        self.batch_edge("begin batch", b);
        for p in &b.points {
            self.begin_line("batch point");
            let line = &mut self.line;
            push_pair(line, "name", &b.name);
            push_pair(line, "group", b.group.as_str());
            push_tags(line, &p.tags);
            push_fields(line, &p.fields);
            self.finish_line(p.time);
        }
        self.batch_edge("end batch", b);
    }

    fn batch_edge(&mut self, msg: &str, b: &Batch) {
        self.begin_line(msg);
        push_pair(&mut self.line, "name", &b.name);
        push_pair(&mut self.line, "group", b.group.as_str());
        push_tags(&mut self.line, &b.tags);
        self.finish_line(b.time);
    }
}

fn push_pair(line: &mut String, key: &str, value: &str) {
    line.push(' ');
    line.push_str(key);
    line.push('=');
    write_value(line, value);
}

fn push_tags(line: &mut String, tags: &Tags) {
    for (k, v) in tags {
        line.push_str(" tag_");
        line.push_str(k);
        line.push('=');
        write_value(line, v);
    }
}

fn push_fields(line: &mut String, fields: &Fields) {
    for (k, v) in fields {
        line.push_str(" field_");
        line.push_str(k);
        line.push('=');
        match v {
            FieldValue::Float(x) if x.is_nan() => line.push_str("NaN"),
            FieldValue::Float(x) if x.is_infinite() => {
                line.push_str(if *x > 0.0 { "+Inf" } else { "-Inf" })
            }
            // Display never uses an exponent, like Go's 'f' format.
            FieldValue::Float(x) => {
                let _ = write!(line, "{x}");
            }
            FieldValue::Int(i) => {
                let _ = write!(line, "{i}");
            }
            FieldValue::String(s) => write_value(line, s),
            FieldValue::Bool(b) => line.push_str(if *b { "true" } else { "false" }),
        }
    }
}

/// A logfmt value: bare, or quoted Go-style when it holds a space, a quote or a control
/// character (Kapacitor quotes only for the first two; a raw newline would split the line).
fn write_value(line: &mut String, value: &str) {
    if !value
        .chars()
        .any(|c| c == ' ' || c == '"' || c.is_control())
    {
        line.push_str(value);
        return;
    }
    line.push('"');
    for c in value.chars() {
        match c {
            '"' => line.push_str("\\\""),
            '\\' => line.push_str("\\\\"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            '\t' => line.push_str("\\t"),
            c if c.is_control() && (c as u32) < 0x80 => {
                let _ = write!(line, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(line, "\\u{:04x}", c as u32);
            }
            c => line.push(c),
        }
    }
    line.push('"');
}

impl<W: Write> Node for LogNode<W> {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        if self.config.level >= self.config.min_level {
            match &msg {
                Message::Point(p) => self.log_point(p),
                Message::Batch(b) => self.log_batch(b),
                // Kapacitor logs data only, and passes everything on.
                Message::Barrier { .. } | Message::DeleteGroup { .. } => {}
            }
        }
        out.push(msg);
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{batch, batch_point, fields, point_with, run};
    use crate::point::GroupKey;

    const T0: Time = 1_700_000_000_000_000_000;

    fn clock() -> Time {
        T0 + 123_456_789
    }

    fn node(level: LogLevel, prefix: &str) -> LogNode<Vec<u8>> {
        LogNode::new(
            LogConfig {
                level,
                prefix: prefix.into(),
                task: "log_passthrough".into(),
                node: "log2".into(),
                min_level: LogLevel::Info,
            },
            Vec::new(),
            clock,
        )
    }

    fn text(node: &LogNode<Vec<u8>>) -> String {
        String::from_utf8_lossy(node.sink()).into_owned()
    }

    #[test]
    fn logs_a_point_and_passes_it_on() {
        let mut node = node(LogLevel::from_name("warn"), "my prefix");
        let mut p = point_with(
            "m",
            &[("host", "h0")],
            fields(&[
                ("v", FieldValue::Int(3)),
                ("f", FieldValue::Float(1e21)),
                ("s", FieldValue::String("a \"b\"".into())),
                ("ok", FieldValue::Bool(true)),
            ]),
            T0,
        );
        p.dimensions.tag_names = ["host"].map(crate::point::Str::from).into();
        p.group = GroupKey("host=h0".into());
        let out = run(&mut node, [p]);
        assert_eq!(out.len(), 1);
        insta::assert_snapshot!(text(&node), @r#"ts=2023-11-14T22:13:20.123Z lvl=info msg=point service=kapacitor task_master=main task=log_passthrough node=log2 prefix="my prefix" name=m db=db rp=rp group=host=h0 dimension_0=host tag_host=h0 field_f=1000000000000000000000 field_ok=true field_s="a \"b\"" field_v=3 time=2023-11-14T22:13:20Z"#);
    }

    #[test]
    fn logs_a_batch_as_begin_points_end() {
        let mut node = node(LogLevel::Error, "");
        let b = batch(
            "m",
            &[("host", "a")],
            vec![batch_point(&[("host", "a")], &[("v", 0.5)], T0)],
        );
        run(&mut node, [b]);
        insta::assert_snapshot!(text(&node), @r#"
        ts=2023-11-14T22:13:20.123Z lvl=error msg="begin batch" service=kapacitor task_master=main task=log_passthrough node=log2 prefix= name=m group=host=a tag_host=a time=2023-11-14T22:13:20Z
        ts=2023-11-14T22:13:20.123Z lvl=error msg="batch point" service=kapacitor task_master=main task=log_passthrough node=log2 prefix= name=m group=host=a tag_host=a field_v=0.5 time=2023-11-14T22:13:20Z
        ts=2023-11-14T22:13:20.123Z lvl=error msg="end batch" service=kapacitor task_master=main task=log_passthrough node=log2 prefix= name=m group=host=a tag_host=a time=2023-11-14T22:13:20Z
        "#);
    }

    #[test]
    fn debug_lines_stay_below_the_server_level() {
        let mut node = node(LogLevel::Debug, "P1");
        let out = run(&mut node, [point_with("m", &[], Fields::new(), T0)]);
        assert_eq!(out.len(), 1);
        assert!(text(&node).is_empty());
    }
}
