//! `GET /metrics`: the tasks' node counts and the ingest counts in Prometheus's text format
//! (version 0.0.4). The format is small and stable enough to write directly, which keeps the
//! per-node series free of a registry that would need updating as tasks start and stop.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use super::live::TaskSnapshot;
use super::server::State;
use crate::task::NodeStats;

pub(crate) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A per-node counter: its name, help text, and how to read it from the stats.
struct NodeCounter {
    name: &'static str,
    help: &'static str,
    read: fn(&NodeStats) -> u64,
}

const NODE_COUNTERS: [NodeCounter; 3] = [
    NodeCounter {
        name: "tick_node_collected_total",
        help: "Points and batches a node has received.",
        read: |s| s.collected,
    },
    NodeCounter {
        name: "tick_node_emitted_total",
        help: "Points and batches a node has sent on.",
        read: |s| s.emitted,
    },
    NodeCounter {
        name: "tick_node_errors_total",
        help: "Errors a node has met.",
        read: |s| s.errors,
    },
];

pub(crate) fn render(state: &State) -> String {
    let snapshots: Vec<_> = state.tasks.iter().map(|t| t.snapshot()).collect();
    let mut out = String::new();

    header(
        &mut out,
        "tick_task_executing",
        "gauge",
        "Whether a task is running (1) or not (0).",
    );
    for task in &snapshots {
        let _ = writeln!(
            out,
            "tick_task_executing{{task=\"{}\"}} {}",
            escape(task.descriptor.id),
            u8::from(task.execution.is_some())
        );
    }
    header(
        &mut out,
        "tick_task_throughput_points_per_second",
        "gauge",
        "Points per second into a task over the last second.",
    );
    for task in &snapshots {
        if let Some(execution) = &task.execution {
            let _ = writeln!(
                out,
                "tick_task_throughput_points_per_second{{task=\"{}\"}} {}",
                escape(task.descriptor.id),
                execution.throughput
            );
        }
    }
    for counter in &NODE_COUNTERS {
        header(&mut out, counter.name, "counter", counter.help);
        for task in &snapshots {
            for node in task.execution.iter().flat_map(|e| &e.stats) {
                let _ = writeln!(
                    out,
                    "{}{{task=\"{}\",node=\"{}\"}} {}",
                    counter.name,
                    escape(task.descriptor.id),
                    escape(&node.name),
                    (counter.read)(node)
                );
            }
        }
    }
    node_stat_series(&mut out, &snapshots);
    let ingest = [
        (
            "tick_write_requests_total",
            "Write requests received.",
            &state.ingest.requests,
        ),
        (
            "tick_write_points_total",
            "Valid lines received by writes.",
            &state.ingest.points,
        ),
        (
            "tick_write_bad_lines_total",
            "Lines rejected by writes.",
            &state.ingest.bad_lines,
        ),
    ];
    for (name, help, value) in ingest {
        header(&mut out, name, "counter", help);
        let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
    }
    let failures = "tick_handler_failures_total";
    header(
        &mut out,
        failures,
        "counter",
        "Handler deliveries (alerts, httpPost) that failed for good (after their retries) or were dropped by a full queue: in all, and by the node that sent them.",
    );
    let _ = writeln!(out, "{failures} {}", state.environment.outbox.failures());
    for task in &snapshots {
        for node in task.execution.iter().flat_map(|e| &e.stats) {
            if let Some(count) = node.handler_failures {
                let _ = writeln!(
                    out,
                    "{failures}{{task=\"{}\",node=\"{}\"}} {count}",
                    escape(task.descriptor.id),
                    escape(&node.name)
                );
            }
        }
    }
    out
}

/// Kapacitor's other node stats (execution time, cardinality, an alert node's event counts),
/// by their Kapacitor names: the gauges as they are, the counts as `_total` counters.
fn node_stat_series(out: &mut String, snapshots: &[TaskSnapshot]) {
    let nodes = || {
        snapshots.iter().flat_map(|task| {
            let stats = task.execution.iter().flat_map(|e| &e.stats);
            stats.map(move |node| (task.descriptor.id, node))
        })
    };
    let mut names: Vec<&'static str> = nodes()
        .flat_map(|(_, node)| node.named_values())
        .map(|(name, _)| name)
        // Series of their own above and below.
        .filter(|name| !matches!(*name, "errors" | "handler_failures"))
        .collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let (metric, kind) = match name {
            "avg_exec_time_ns" | "working_cardinality" => (format!("tick_node_{name}"), "gauge"),
            _ => (format!("tick_node_{name}_total"), "counter"),
        };
        header(out, &metric, kind, &format!("The node's {name}, as Kapacitor names it."));
        for (task, node) in nodes() {
            if let Some((_, value)) = node.named_values().into_iter().find(|(n, _)| *n == name) {
                let _ = writeln!(
                    out,
                    "{metric}{{task=\"{}\",node=\"{}\"}} {value}",
                    escape(task),
                    escape(&node.name)
                );
            }
        }
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the text format quotes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
