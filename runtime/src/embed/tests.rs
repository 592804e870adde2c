//! The embedding API over a hand-written task that reports through its tap and outbox the way
//! generated pipelines do (generated tasks are exercised by tick-macros' tests).

use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use super::*;
use crate::alert::{Event, EventSource, Level};
use crate::delivery::RecordingOutbox;
use crate::point::Message;
use crate::task::{Dbrp, Routes, TaskKind};

/// Passes every point to `from1`, which feeds `log2` and `alert3`; `alert3` raises a critical
/// event per point and sends it to a TCP handler. Flushing sends a marker delivery.
struct Probe {
    context: TaskContext,
}

impl Task for Probe {
    fn push_point(&mut self, point: Point) {
        if let Some(tap) = &self.context.tap {
            let messages = [Message::Point(point.clone())];
            tap.emitted("stream0", &messages);
            tap.emitted("from1", &messages);
            tap.emitted("log2", &messages);
            tap.emitted("alert3", &[]);
            tap.alert("alert3", &event(&point, &self.context.task_id));
        }
        self.context.outbox.send(Delivery::Tcp { address: "127.0.0.1:1".into(), line: point.name.as_bytes().to_vec() });
    }

    fn push_batch(&mut self, _query: usize, _batch: Batch) {}

    fn flush(&mut self) {
        self.context.outbox.send(Delivery::Tcp { address: "127.0.0.1:1".into(), line: b"flushed".to_vec() });
    }

    fn stats(&self) -> Vec<NodeStats> {
        Vec::new()
    }
}

fn event<'a>(point: &'a Point, task_name: &'a str) -> Event<'a> {
    Event {
        id: format!("{}:nil", point.name),
        message: "busy".into(),
        details: String::new().into(),
        time: point.time,
        duration: 0,
        level: Level::Critical,
        previous_level: Level::Ok,
        recoverable: true,
        name: &point.name,
        task_name,
        server: &crate::template::alert_data::NO_SERVER,
        category: None,
        group: "",
        tags: &point.tags,
        fields: &point.fields,
        data: EventSource::Point(point),
    }
}

static PROBE: TaskDescriptor = TaskDescriptor {
    id: "probe",
    kind: TaskKind::Stream,
    dbrps: &[Dbrp { database: "telegraf", retention_policy: "autogen" }],
    script: "",
    nodes: &["stream0", "from1", "log2", "alert3"],
    edges: &[(0, 1), (1, 2), (1, 3)],
    queries: Vec::new,
    new: |context| Box::new(Probe { context: context.clone() }),
    enabled: true,
    routes: Routes::Dbrps,
};

/// A task whose deliveries are recorded, and the recording.
fn recorded(config: EmbedConfig) -> (EmbeddedTask, Arc<RecordingOutbox>) {
    let outbox = Arc::new(RecordingOutbox::new());
    let task = EmbeddedTask::new(&PROBE, config.handlers(Handlers::Outbox(outbox.clone())));
    (task, outbox)
}

fn lines(outbox: &RecordingOutbox) -> Vec<String> {
    outbox
        .take()
        .into_iter()
        .map(|d| match d {
            Delivery::Tcp { line, .. } => String::from_utf8_lossy(&line).into_owned(),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn leaves_are_the_nodes_without_children() {
    assert_eq!(leaves(&PROBE), ["log2", "alert3"]);
}

#[test]
fn a_callback_sees_what_the_last_nodes_emit_and_every_alert() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let config = EmbedConfig::new().on_output(move |output| {
        let entry = match output {
            OutputRef::Emitted { node, messages } => format!("{node} emitted {}", messages.len()),
            OutputRef::Alert { node, event } => format!("{node} raised {} {}", event.level.as_str(), event.id),
        };
        log.lock().unwrap().push(entry);
    });
    let (mut task, _) = recorded(config);
    task.push_line_protocol("telegraf", "autogen", "cpu usage_idle=1 1\n").unwrap();
    assert_eq!(*seen.lock().unwrap(), ["log2 emitted 1", "alert3 raised CRITICAL cpu:nil"]);
}

#[test]
fn a_channel_receives_owned_outputs_whose_alerts_render_as_json() {
    let (sender, receiver) = sync_channel(8);
    let (mut task, _) = recorded(EmbedConfig::new().channel(sender).task_id("renamed"));
    assert_eq!(task.id(), "renamed");
    let point = task.point("cpu", 1_000_000_000).tag("host", "h").field("usage_idle", 3.5).build();
    assert!(task.push_point(point.clone()));
    drop(task);
    let outputs: Vec<Output> = receiver.iter().collect();
    assert_eq!(outputs.len(), 2);
    assert_eq!(outputs[0], Output::Emitted { node: "log2".into(), messages: vec![Message::Point(point.clone())] });
    let alert = outputs[1].alert().expect("the second output is the alert");
    assert_eq!((alert.node.as_str(), alert.task_name.as_str()), ("alert3", "renamed"));
    assert_eq!(
        alert.json().unwrap(),
        String::from_utf8(event(&point, "renamed").alert_json().unwrap()).unwrap()
    );
}

#[test]
fn a_tap_sees_every_node() {
    struct Names(Mutex<Vec<String>>);
    impl crate::tap::Tap for Names {
        fn emitted(&self, node: &str, _: &[Message]) {
            self.0.lock().unwrap().push(node.to_owned());
        }
        fn alert(&self, node: &str, _: &Event<'_>) {
            self.0.lock().unwrap().push(format!("{node}!"));
        }
    }
    let names = Arc::new(Names(Mutex::default()));
    let (mut task, _) = recorded(EmbedConfig::new().tap(names.clone()));
    task.push_line_protocol("telegraf", "autogen", "cpu v=1 1").unwrap();
    assert_eq!(*names.0.lock().unwrap(), ["stream0", "from1", "log2", "alert3", "alert3!"]);
}

#[test]
fn handlers_deliver_to_the_given_outbox_and_dropping_flushes() {
    let (mut task, outbox) = recorded(EmbedConfig::new());
    task.push_line_protocol("telegraf", "autogen", "cpu v=1 1\nmem v=2 2\n").unwrap();
    assert_eq!(lines(&outbox), ["cpu", "mem"]);
    drop(task);
    assert_eq!(lines(&outbox), ["flushed"]);
}

#[test]
fn handlers_can_be_turned_off() {
    let (sender, receiver) = sync_channel(8);
    let mut task = EmbeddedTask::new(&PROBE, EmbedConfig::new().handlers(Handlers::Off).channel(sender));
    task.push_line_protocol("telegraf", "autogen", "cpu v=1 1").unwrap();
    drop(task);
    assert_eq!(receiver.iter().filter(|o| o.alert().is_some()).count(), 1);
}

#[test]
fn only_points_of_the_scripts_databases_reach_the_task() {
    let (mut task, outbox) = recorded(EmbedConfig::new());
    assert_eq!(task.push_line_protocol("other", "autogen", "cpu v=1 1"), Ok(0));
    let elsewhere = PointBuilder::new("telegraf", "weekly", "cpu", 1).field("v", 1).build();
    assert!(!task.push_point(elsewhere));
    assert!(lines(&outbox).is_empty());
    let bad = task.push_line_protocol("other", "autogen", "cpu v=1 1\nbad").unwrap_err();
    assert_eq!((bad.count, bad.pushed), (1, 0));
}

#[test]
fn malformed_lines_are_an_error_after_the_good_ones_are_pushed() {
    let (mut task, outbox) = recorded(EmbedConfig::new());
    let bad = task.push_line_protocol("telegraf", "autogen", "cpu v=1 1\ncpu v= 2\nmem v=3 3\n").unwrap_err();
    assert_eq!((bad.count, bad.pushed), (1, 2));
    assert_eq!(lines(&outbox), ["cpu", "mem"]);
}
