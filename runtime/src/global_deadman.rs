//! The deadman Kapacitor gives every task when `[deadman] global = true`: the expansion of
//! `|deadman(threshold, interval)` on the task's source node (`stream0`, `batch0`), added when
//! the task starts rather than compiled in, so the configuration file decides it. It wraps the
//! compiled pipeline: it counts what the source emits, and runs the `stats`, `derivative` and
//! `alert` nodes of the expansion, named after the script's nodes as Kapacitor numbers them.
//!
//! A batch task's source emits nothing in Kapacitor (its queries feed the pipeline), so its
//! global deadman always counts zero, and alerts once the threshold (0 by default) is reached
//! at the second interval, as Kapacitor's does.

use std::sync::Arc;

use crate::alert::{AlertConfig, AlertLevels, AlertNode, AlertTemplates, Inhibitors, Level, LevelCheck};
use crate::__private::Wired;
use crate::config::deadman::DeadmanSection;
use crate::expr::{EvalError, Scope, Side};
use crate::node::derivative::{DerivativeConfig, DerivativeNode};
use crate::node::stats::StatsNode;
use crate::point::{Batch, FieldValue, Point, Time};
use crate::task::{NodeState, NodeStats, RestoreError, Task, TaskContext, TaskDescriptor, TaskKind};

/// A compiled task with the global deadman on its source.
pub struct GlobalDeadman {
    task: Box<dyn Task>,
    kind: TaskKind,
    names: Names,
    stats: Wired<StatsNode>,
    derivative: Wired<DerivativeNode>,
    alert: Wired<AlertNode<Crit>>,
}

/// The names of the added nodes: Kapacitor numbers them after the script's nodes.
struct Names {
    stats: String,
    derivative: String,
    alert: String,
}

/// `.crit(lambda: "emitted" <= threshold)`.
struct Crit {
    threshold: f64,
}

impl AlertLevels for Crit {
    fn test<S: Scope + ?Sized>(&mut self, check: LevelCheck, scope: &S) -> Option<Result<bool, EvalError>> {
        if check != LevelCheck::Enter(Level::Critical) {
            return None;
        }
        Some(match scope.field("emitted") {
            Some(FieldValue::Float(emitted)) => Ok(*emitted <= self.threshold),
            Some(FieldValue::Int(emitted)) => Ok((*emitted as f64) <= self.threshold),
            _ => Err(EvalError::MissingOperand { side: Side::Left, name: "emitted".to_owned() }),
        })
    }
}

impl GlobalDeadman {
    /// `task`, built from `descriptor` in `context`, with the deadman `deadman` describes. A
    /// configured template the alert cannot use is an error naming the node.
    pub fn wrap(
        task: Box<dyn Task>,
        descriptor: &TaskDescriptor,
        context: &TaskContext,
        deadman: &DeadmanSection,
    ) -> Result<GlobalDeadman, String> {
        let source = descriptor.nodes.first().copied().unwrap_or("stream0");
        let first = descriptor.nodes.len();
        let names = Names {
            stats: format!("stats{first}"),
            derivative: format!("derivative{}", first + 1),
            alert: format!("alert{}", first + 2),
        };
        let templates = AlertTemplates::parse(
            Some(&deadman.alert_id(source)),
            Some(&deadman.alert_message(deadman.interval)),
            None,
        )
        .map_err(|e| format!("{}: {e}", names.alert))?;
        let config = AlertConfig { templates, ..AlertConfig::for_task(context, &names.alert) }
            .with_global_handlers(&context.config.services)
            .map_err(|e| format!("{}: {e}", names.alert))?;
        let alert = AlertNode::new(
            config,
            Crit { threshold: deadman.threshold },
            context.outbox.clone(),
            Arc::new(Inhibitors::new()),
        )
        .map_err(|e| format!("{}: {e}", names.alert))?;
        let derivative = DerivativeConfig {
            unit: deadman.interval,
            non_negative: true,
            ..DerivativeConfig::new("emitted")
        };
        Ok(GlobalDeadman {
            task,
            kind: descriptor.kind,
            names,
            stats: Wired::new(StatsNode::new(deadman.interval, true)),
            derivative: Wired::new(DerivativeNode::new(derivative)),
            alert: Wired::new(alert),
        })
    }
}

impl Task for GlobalDeadman {
    fn push_point(&mut self, point: Point) {
        if self.kind == TaskKind::Stream {
            self.stats.node.observe_point(&point);
        }
        self.task.push_point(point);
    }

    fn push_batch(&mut self, query: usize, batch: Batch) {
        self.task.push_batch(query, batch);
    }

    fn flush(&mut self) {
        self.task.flush();
    }

    fn stats(&self) -> Vec<NodeStats> {
        let mut stats = self.task.stats();
        stats.extend([
            self.stats.stats(&self.names.stats),
            self.derivative.stats(&self.names.derivative),
            self.alert.stats(&self.names.alert).with_alert(&self.alert.node),
        ]);
        stats
    }

    fn tick(&mut self, now: Time) {
        self.task.tick(now);
        let counts = self.stats.tick(now);
        for count in counts.iter().cloned() {
            let rates = self.derivative.push(count);
            for rate in rates.iter().cloned() {
                let passed = self.alert.push(rate);
                self.alert.recycle(passed);
            }
            self.derivative.recycle(rates);
        }
        self.stats.recycle(counts);
    }

    fn snapshot(&self) -> Vec<NodeState> {
        let mut states = self.task.snapshot();
        states.extend(self.alert.snapshot(&self.names.alert));
        states
    }

    fn restore(&mut self, states: &[NodeState]) -> Result<(), RestoreError> {
        let mut failures = match self.task.restore(states) {
            Ok(()) => Vec::new(),
            Err(error) => error.failures,
        };
        self.alert.restore(&self.names.alert, states, &mut failures);
        if failures.is_empty() { Ok(()) } else { Err(RestoreError { failures }) }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::alert::Event;
    use crate::config::ProgramConfig;
    use crate::delivery::RecordingOutbox;
    use crate::point::{Dimensions, Fields, GroupKey, Message, Str, Tags};
    use crate::tap::Tap;
    use crate::task::Routes;

    const S: Time = 1_000_000_000;

    /// A pipeline that keeps what it is given.
    #[derive(Default)]
    struct Quiet {
        points: usize,
    }

    impl Task for Quiet {
        fn push_point(&mut self, _: Point) {
            self.points += 1;
        }
        fn push_batch(&mut self, _: usize, _: Batch) {}
        fn flush(&mut self) {}
        fn stats(&self) -> Vec<NodeStats> {
            Vec::new()
        }
    }

    /// The alert events seen, as `node level id: message`.
    #[derive(Default)]
    struct Events(Mutex<Vec<String>>);

    impl Tap for Events {
        fn emitted(&self, _: &str, _: &[Message]) {}
        fn alert(&self, node: &str, event: &Event<'_>) {
            let line = format!("{node} {} {}: {}", event.level, event.id, event.message);
            self.0.lock().unwrap().push(line);
        }
    }

    static DESCRIPTOR: TaskDescriptor = TaskDescriptor {
        id: "cpu",
        kind: TaskKind::Stream,
        dbrps: &[],
        script: "",
        nodes: &["stream0", "from1", "alert2"],
        edges: &[(0, 1), (1, 2)],
        queries: Vec::new,
        new: |_| Box::new(Quiet::default()),
        enabled: true,
        routes: Routes::Dbrps,
    };

    /// An ungrouped point, as a task's source gets it.
    fn cpu() -> Point {
        Point {
            database: Str::from("db"),
            retention_policy: Str::from("rp"),
            name: Str::from("cpu"),
            tags: Tags::new(),
            fields: Fields::from_pairs([(Str::from("v"), FieldValue::Float(1.0))]),
            time: 0,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }

    fn started(config: &str) -> (Box<dyn Task>, Arc<Events>) {
        let events = Arc::new(Events::default());
        let mut context = TaskContext::new("cpu", Arc::new(RecordingOutbox::new()));
        context.config = Arc::new(ProgramConfig::parse(config).unwrap());
        context.tap = Some(events.clone());
        (DESCRIPTOR.start(&context), events)
    }

    fn take(events: &Events) -> Vec<String> {
        std::mem::take(&mut *events.0.lock().unwrap())
    }

    #[test]
    fn a_quiet_stream_raises_the_configured_alert_and_recovers() {
        let config = "[deadman]\nglobal = true\ninterval = \"10s\"\nthreshold = 1.0\nid = \"quiet NODE_NAME of {{ .TaskName }}\"\nmessage = \"{{ .ID }} is {{ .Level }} after INTERVAL\"\n";
        let (mut task, events) = started(config);
        let push = |task: &mut Box<dyn Task>, n: usize| {
            for _ in 0..n {
                task.push_point(cpu());
            }
        };
        task.tick(1003 * S);
        push(&mut task, 50);
        task.tick(1010 * S);
        push(&mut task, 50);
        task.tick(1020 * S);
        assert!(take(&events).is_empty(), "50 points per 10s is alive");
        // Silence: one interval later the rate is 0, at most the threshold.
        task.tick(1030 * S);
        insta::assert_snapshot!(take(&events).join("\n"), @"alert5 CRITICAL quiet stream0 of cpu: quiet stream0 of cpu is CRITICAL after 10s");
        // Still quiet: the alert repeats every interval, as any alert without
        // `.stateChangesOnly()` does.
        task.tick(1040 * S);
        assert_eq!(take(&events).len(), 1);
        push(&mut task, 30);
        task.tick(1050 * S);
        insta::assert_snapshot!(take(&events).join("\n"), @"alert5 OK quiet stream0 of cpu: quiet stream0 of cpu is OK after 10s");
        let names: Vec<String> = task.stats().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["stats3", "derivative4", "alert5"]);
    }

    #[test]
    fn the_default_message_is_kapacitors() {
        let (mut task, events) = started("[deadman]\nglobal = true\n");
        for now in [1003, 1010, 1020, 1030] {
            task.tick(now * S);
        }
        // Ticks at 1010s and 1020s count nothing, so the rate is 0 from the second on.
        insta::assert_snapshot!(take(&events).join("\n"), @r"
        alert5 CRITICAL nil:stream0 for task 'cpu': nil:stream0 for task 'cpu' is dead: 0.000 points/10s.
        alert5 CRITICAL nil:stream0 for task 'cpu': nil:stream0 for task 'cpu' is dead: 0.000 points/10s.
        ");
    }

    #[test]
    fn without_global_the_task_is_left_alone() {
        let (mut task, events) = started("");
        for now in [1003, 1010, 1020, 1030] {
            task.tick(now * S);
        }
        assert!(take(&events).is_empty());
        assert!(task.stats().is_empty());
    }
}
