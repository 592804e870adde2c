//! A script with a window, an aggregate and an alert, compiled by tick! as its users write it:
//! fed points, and its outputs read from a channel and a callback.

use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use tick_macros::tick;
use tick_runtime::alert::Level;
use tick_runtime::embed::{EmbedConfig, Handlers, Output, OutputRef};
use tick_runtime::point::{FieldValue, Message};

tick!(
    /// Mean idle cpu per host over 10s windows; critical below 50.
    pub mod idle,
    r#"
dbrp "telegraf"."autogen"

stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |window()
        .period(10s)
        .every(10s)
    |mean('usage_idle')
        .as('idle')
    |alert()
        .crit(lambda: "idle" < 50)
        .log('/tmp/never-written.log')
"#,
);

const SECOND: i64 = 1_000_000_000;

#[test]
fn a_window_and_an_alert_embedded_in_a_program() {
    assert_eq!(idle::Task::ID, "idle");
    assert_eq!(idle::DESCRIPTOR.nodes, ["stream0", "from1", "window2", "mean3", "alert4"]);

    let (sender, outputs) = sync_channel(64);
    let mut task = idle::Task::new(EmbedConfig::new().handlers(Handlers::Off).channel(sender));
    let mut text = String::new();
    for (second, idle) in [(0, 40.0), (5, 50.0), (10, 90.0), (15, 94.0), (20, 10.0)] {
        text.push_str(&format!("cpu,host=web1 usage_idle={idle} {}\n", second * SECOND));
    }
    assert_eq!(task.push_line_protocol("telegraf", "autogen", &text), Ok(5));
    // Points of another database do not reach the task.
    assert_eq!(task.push_line_protocol("other", "autogen", "cpu,host=web1 usage_idle=1 30000000000"), Ok(0));
    drop(task);

    let outputs: Vec<Output> = outputs.iter().collect();
    let alerts: Vec<(Level, f64)> = outputs
        .iter()
        .filter_map(Output::alert)
        .map(|a| {
            let mean = match a.fields.get("idle") {
                Some(FieldValue::Float(mean)) => *mean,
                other => panic!("the mean is a float: {other:?}"),
            };
            (a.level, mean)
        })
        .collect();
    // Windows [0s, 10s) and [10s, 20s): means 45 (critical) then 92 (recovered).
    assert_eq!(alerts, [(Level::Critical, 45.0), (Level::Ok, 92.0)]);
    let alert = outputs.iter().find_map(Output::alert).unwrap();
    assert!(alert.json().unwrap().starts_with("{\"id\":\"cpu:host=web1\""), "{alert:?}");

    // A callback on the same thread, and points built by hand.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let mut task = idle::Task::new(EmbedConfig::new().handlers(Handlers::Off).on_output(move |output| {
        if let OutputRef::Emitted { node, messages } = output {
            let kinds: Vec<&str> = messages
                .iter()
                .map(|m| match m {
                    Message::Point(_) => "point",
                    Message::Batch(_) => "batch",
                    // Outputs show data only.
                    Message::Barrier { .. } | Message::DeleteGroup { .. } => "control",
                })
                .collect();
            log.lock().unwrap().push((node.to_owned(), kinds));
        }
    }));
    for (second, idle) in [(0, 10.0), (12, 20.0)] {
        let point = task.point("cpu", second * SECOND).tag("host", "db1").field("usage_idle", idle).build();
        assert!(task.push_point(point));
    }
    task.flush();
    assert_eq!(*seen.lock().unwrap(), [("alert4".to_owned(), vec!["point"])]);
    assert_eq!(task.stats().len(), 5);
}
