//! A task's pipeline as a Graphviz DOT graph, laid out as Kapacitor's `show` prints it: the
//! bare edges while the task is stopped; while it runs, the task's throughput, each node's
//! counts as attributes (sorted by name) and each edge's processed count.

use std::fmt::Write;

use crate::task::NodeStats;
use crate::time::format_go_duration;

/// The graph of a task that is not executing: `digraph id {\nstream0 -> from1;\n...}`.
pub(crate) fn plain(id: &str, nodes: &[&str], edges: &[(usize, usize)]) -> String {
    let mut out = format!("digraph {id} {{\n");
    for &(parent, child) in edges {
        let _ = writeln!(
            out,
            "{} -> {};",
            name(nodes, &[], parent),
            name(nodes, &[], child)
        );
    }
    out.push('}');
    out
}

/// The graph of an executing task with its live counts. An edge's processed count is what its
/// parent emitted: every child of a node receives all it emits.
pub(crate) fn with_counts(
    id: &str,
    nodes: &[&str],
    edges: &[(usize, usize)],
    stats: &[NodeStats],
    throughput: f64,
) -> String {
    let mut out = format!("digraph {id} {{\ngraph [throughput=\"{throughput:.2} points/s\"];\n");
    let count = nodes.len().max(stats.len());
    for node in 0..count {
        let counts = stats.get(node).cloned().unwrap_or_default();
        let this = name(nodes, stats, node);
        let _ = write!(out, "\n{this} [");
        for (attribute, value) in attributes(&counts) {
            let _ = write!(out, "{attribute}=\"{value}\" ");
        }
        out.push_str("];\n");
        for &(_, child) in edges.iter().filter(|(parent, _)| *parent == node) {
            let _ = writeln!(
                out,
                "{this} -> {} [processed=\"{}\"];",
                name(nodes, stats, child),
                counts.emitted
            );
        }
    }
    out.push('}');
    out
}

/// A node's DOT attributes, sorted by name as Kapacitor sorts them; the execution time as a Go
/// duration (`1.856µs`), as Kapacitor prints it.
fn attributes(stats: &NodeStats) -> Vec<(&'static str, String)> {
    stats
        .named_values()
        .into_iter()
        .map(|(name, value)| {
            let value = match name {
                "avg_exec_time_ns" => format_go_duration(i64::try_from(value).unwrap_or(i64::MAX)),
                _ => value.to_string(),
            };
            (name, value)
        })
        .collect()
}

/// The name the stats give a node, else the descriptor's; a node index out of both gets a
/// made-up name rather than breaking the graph.
fn name(nodes: &[&str], stats: &[NodeStats], index: usize) -> String {
    stats
        .get(index)
        .map(|s| s.name.clone())
        .or_else(|| nodes.get(index).map(|n| (*n).to_owned()))
        .unwrap_or_else(|| format!("node{index}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &[&str] = &["stream0", "from1", "alert2"];
    const EDGES: &[(usize, usize)] = &[(0, 1), (1, 2)];

    fn stats(name: &str, collected: u64, emitted: u64, errors: u64) -> NodeStats {
        NodeStats {
            name: name.to_owned(),
            collected,
            emitted,
            errors,
            ..NodeStats::default()
        }
    }

    #[test]
    fn a_stopped_task_shows_its_edges() {
        insta::assert_snapshot!(plain("cpu_alert", NODES, EDGES), @r"
        digraph cpu_alert {
        stream0 -> from1;
        from1 -> alert2;
        }
        ");
    }

    #[test]
    fn a_running_task_shows_its_counts_in_kapacitors_layout() {
        let alert = crate::alert::AlertStats {
            alerts_triggered: 4,
            crits_triggered: 3,
            oks_triggered: 1,
            ..Default::default()
        };
        let counts = [
            stats("stream0", 5, 5, 0),
            NodeStats {
                avg_exec_time_ns: 1562,
                ..stats("from1", 5, 5, 0)
            },
            NodeStats {
                avg_exec_time_ns: 1_206_339,
                working_cardinality: 1,
                alert: Some(alert),
                ..stats("alert2", 5, 0, 0)
            },
        ];
        let dot = with_counts("cpu_alert", NODES, EDGES, &counts, 4.0);
        // kapacitor-api.md, section 14, byte for byte.
        insta::assert_snapshot!(dot, @r#"
        digraph cpu_alert {
        graph [throughput="4.00 points/s"];

        stream0 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];
        stream0 -> from1 [processed="5"];

        from1 [avg_exec_time_ns="1.562µs" errors="0" working_cardinality="0" ];
        from1 -> alert2 [processed="5"];

        alert2 [alerts_inhibited="0" alerts_triggered="4" avg_exec_time_ns="1.206339ms" crits_triggered="3" errors="0" infos_triggered="0" oks_triggered="1" warns_triggered="0" working_cardinality="1" ];
        }
        "#);
    }

    #[test]
    fn a_node_with_two_children_lists_both_edges_and_bad_indices_do_not_break_it() {
        let edges = [(0, 1), (0, 2), (1, 9)];
        let counts = [stats("stream0", 2, 2, 0)];
        let dot = with_counts("t", NODES, &edges, &counts, 0.0);
        assert!(
            dot.contains(
                "stream0 -> from1 [processed=\"2\"];\nstream0 -> alert2 [processed=\"2\"];\n"
            ),
            "{dot}"
        );
        assert!(dot.contains("from1 -> node9 [processed=\"0\"];"), "{dot}");
        assert!(plain("t", &[], &edges).contains("node0 -> node1;"));
    }
}
