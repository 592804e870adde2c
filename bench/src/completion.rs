//! When a run is done: read from the tasks' own counts (`GET /kapacitor/v1/tasks` with their
//! DOT graph and `stats`), every point has passed every node when each node has collected all
//! its parent emitted and the first nodes have seen the points the case expects.

use std::collections::BTreeMap;

use serde_json::Value;

/// A node's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeCounts {
    pub collected: u64,
    pub emitted: u64,
}

/// One task's pipeline and counts, as its API entry shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskCounts {
    pub id: String,
    pub nodes: BTreeMap<String, NodeCounts>,
    /// Parent and child names, from the DOT graph.
    pub edges: Vec<(String, String)>,
}

impl TaskCounts {
    /// Every node has collected what its parent emitted.
    pub fn settled(&self) -> bool {
        self.edges.iter().all(|(parent, child)| {
            match (self.nodes.get(parent), self.nodes.get(child)) {
                (Some(parent), Some(child)) => child.collected == parent.emitted,
                _ => false,
            }
        })
    }

    /// The pipeline's root (`stream0`): the node no edge leads into.
    fn root(&self) -> Option<(&String, &NodeCounts)> {
        self.nodes.iter().find(|(name, _)| !self.edges.iter().any(|(_, child)| child == *name))
    }

    /// What the nodes right under the root passed on (a `from` emits what its filters keep).
    fn passed_by_froms(&self) -> u64 {
        let Some((root, _)) = self.root() else { return 0 };
        self.edges
            .iter()
            .filter(|(parent, _)| parent == root)
            .filter_map(|(_, child)| self.nodes.get(child))
            .map(|counts| counts.emitted)
            .sum()
    }
}

/// Which points the tasks of a case must have seen, beyond every node having settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Each task's root collected every point sent.
    EveryTaskSeesAll,
    /// Each point passes exactly one task's `from` (tasks filtering on disjoint series):
    /// what the `from` nodes emitted adds up to the points sent.
    SplitAcrossTasks,
    /// The tasks read none of the points: only the server's ingest count says anything.
    Nothing,
}

/// Every task has settled and has seen what `expect` says of the `sent` points.
pub fn is_complete(tasks: &[TaskCounts], expect: Expect, sent: u64) -> bool {
    let seen = match expect {
        Expect::EveryTaskSeesAll => tasks.iter().all(|t| t.root().is_some_and(|(_, c)| c.collected == sent)),
        Expect::SplitAcrossTasks => tasks.iter().map(TaskCounts::passed_by_froms).sum::<u64>() == sent,
        Expect::Nothing => true,
    };
    seen && tasks.iter().all(TaskCounts::settled)
}

/// The tasks of a `GET /kapacitor/v1/tasks?fields=dot&fields=stats` answer. A task that is not
/// executing has no counts (and so never settles while it has edges).
pub fn parse_tasks(body: &[u8]) -> Result<Vec<TaskCounts>, String> {
    let answer: Value = serde_json::from_slice(body).map_err(|e| format!("the task list is not JSON: {e}"))?;
    let tasks = answer
        .get("tasks")
        .and_then(Value::as_array)
        .ok_or("the task list has no `tasks` array")?;
    Ok(tasks.iter().map(task_counts).collect())
}

fn task_counts(task: &Value) -> TaskCounts {
    let count = |node: &Value, key: &str| node.get(key).and_then(Value::as_u64).unwrap_or(0);
    let nodes = task
        .pointer("/stats/node-stats")
        .and_then(Value::as_object)
        .map(|nodes| {
            nodes
                .iter()
                .map(|(name, node)| {
                    (name.clone(), NodeCounts { collected: count(node, "collected"), emitted: count(node, "emitted") })
                })
                .collect()
        })
        .unwrap_or_default();
    TaskCounts {
        id: task.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        nodes,
        edges: task.get("dot").and_then(Value::as_str).map(edges_of_dot).unwrap_or_default(),
    }
}

/// The edges of a DOT graph as tickc and Kapacitor print it: `a -> b;` or
/// `a -> b [processed="N"];`, one a line.
fn edges_of_dot(dot: &str) -> Vec<(String, String)> {
    dot.lines()
        .filter_map(|line| {
            let (parent, rest) = line.split_once(" -> ")?;
            let child = rest.split([' ', ';', '[']).next()?;
            Some((parent.trim().to_owned(), child.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A task's id and its nodes' (name, collected, emitted), in pipeline order.
    type Task<'a> = (&'a str, &'a [(&'a str, u64, u64)]);

    fn answer(tasks: &[Task]) -> Vec<u8> {
        let tasks: Vec<Value> = tasks
            .iter()
            .map(|(id, nodes)| {
                let mut dot = format!("digraph {id} {{\n");
                for pair in nodes.windows(2) {
                    if let [(parent, _, emitted), (child, _, _)] = pair {
                        dot.push_str(&format!("{parent} -> {child} [processed=\"{emitted}\"];\n"));
                    }
                }
                dot.push('}');
                let stats: serde_json::Map<String, Value> = nodes
                    .iter()
                    .map(|(name, collected, emitted)| {
                        ((*name).to_owned(), serde_json::json!({"collected": collected, "emitted": emitted, "errors": 0}))
                    })
                    .collect();
                serde_json::json!({"id": id, "dot": dot, "stats": {"node-stats": stats}})
            })
            .collect();
        serde_json::to_vec(&serde_json::json!({ "tasks": tasks })).unwrap()
    }

    fn parsed(tasks: &[Task]) -> Vec<TaskCounts> {
        parse_tasks(&answer(tasks)).unwrap()
    }

    #[test]
    fn a_task_is_read_with_its_counts_and_edges() {
        let tasks = parsed(&[("cpu_alert", &[("stream0", 5, 5), ("from1", 5, 5), ("alert2", 5, 0)])]);
        let [task] = tasks.as_slice() else { panic!("{tasks:?}") };
        assert_eq!(task.id, "cpu_alert");
        assert_eq!(task.edges, [("stream0".to_owned(), "from1".to_owned()), ("from1".to_owned(), "alert2".to_owned())]);
        assert_eq!(task.nodes.get("from1"), Some(&NodeCounts { collected: 5, emitted: 5 }));
    }

    #[test]
    fn complete_once_every_node_collected_what_its_parent_emitted() {
        let done = parsed(&[("t", &[("stream0", 10, 10), ("from1", 10, 10), ("alert2", 10, 0)])]);
        assert!(is_complete(&done, Expect::EveryTaskSeesAll, 10));
        let behind = parsed(&[("t", &[("stream0", 10, 10), ("from1", 7, 7), ("alert2", 7, 0)])]);
        assert!(!is_complete(&behind, Expect::EveryTaskSeesAll, 10));
        let queued = parsed(&[("t", &[("stream0", 8, 8), ("from1", 8, 8), ("alert2", 8, 0)])]);
        assert!(!is_complete(&queued, Expect::EveryTaskSeesAll, 10));
        assert!(is_complete(&queued, Expect::Nothing, 10));
    }

    #[test]
    fn a_window_that_emits_less_than_it_collects_still_settles() {
        let tasks = parsed(&[("p95", &[("stream0", 10, 10), ("from1", 10, 10), ("window2", 10, 2), ("percentile3", 2, 2)])]);
        assert!(is_complete(&tasks, Expect::EveryTaskSeesAll, 10));
    }

    #[test]
    fn split_tasks_are_complete_when_their_froms_add_up() {
        let a: &[(&str, u64, u64)] = &[("stream0", 10, 10), ("from1", 10, 6), ("alert2", 6, 0)];
        let b: &[(&str, u64, u64)] = &[("stream0", 4, 4), ("from1", 4, 4), ("alert2", 4, 0)];
        assert!(is_complete(&parsed(&[("a", a), ("b", b)]), Expect::SplitAcrossTasks, 10));
        assert!(!is_complete(&parsed(&[("a", a), ("b", b)]), Expect::SplitAcrossTasks, 11));
    }

    #[test]
    fn a_task_without_counts_never_settles_and_bad_answers_are_errors() {
        let body = br#"{"tasks":[{"id":"t","dot":"digraph t {\nstream0 -> from1;\n}","stats":{}}]}"#;
        let tasks = parse_tasks(body).unwrap();
        assert!(!is_complete(&tasks, Expect::Nothing, 0));
        assert!(parse_tasks(b"not json").is_err());
        assert!(parse_tasks(b"{}").is_err());
    }
}
