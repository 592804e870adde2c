//! The runtime as tickc-generated code sees it: every item a generated task names, and nothing
//! else. Generated code reaches the runtime only through this module (`tick_runtime::__private`),
//! so the runtime may reorganise itself freely as long as these names keep their meaning.
//! Not a public API: it changes with every tickc release, in step with the code generator.

use std::fmt::Display;

use crate::exec_time::ExecTime;

pub use std::sync::Arc;
pub use std::time::Duration;

pub use regex::Regex;

pub use crate::alert::{
    AlertConfig, AlertLevels, AlertNode, AlertTemplates, Annotations, ExecHandler, Flapping,
    Handler, Inhibit, Inhibitors, Level, LevelCheck, LevelLambda, LogHandler, PostHandler,
    StatePolicy, TcpHandler,
};
pub use crate::alert::services::{
    Alerta, AlertaHandler, BigPanda, BigPandaHandler, Discord, DiscordHandler, Email,
    EmailHandler, OpsGenie, OpsGenie2, OpsGenie2Handler, OpsGenieHandler, PagerDuty, PagerDuty2,
    PagerDuty2Handler, PagerDutyHandler, PagerDutyLink, Pushover, PushoverHandler, Scalar, Sensu,
    SensuHandler, ServiceHandler, Slack, SlackHandler, Teams, TeamsHandler, Telegram,
    TelegramHandler, VictorOps, VictorOpsHandler,
};
pub use crate::expr::functions;
pub use crate::expr::stateful::{Count, Rand, Sigma, Spread};
pub use crate::expr::{
    BinaryOp, EvalError, Lambda, Scope, Side, UnaryOp, Value, binary, compile_regex,
    logical_operand, predicate, reference, unary,
};
pub use crate::node::{InPlace, Node};
pub use crate::node::barrier::{BarrierConfig, BarrierNode};
pub use crate::node::change_detect::ChangeDetectNode;
pub use crate::node::combine::{CombineConfig, CombineNode};
pub use crate::node::default::{DefaultConfig, DefaultNode};
pub use crate::node::delete::{DeleteConfig, DeleteNode};
pub use crate::node::derivative::{DerivativeConfig, DerivativeNode};
pub use crate::node::eval::{EvalConfig, EvalNode, Expressions, Keep};
pub use crate::node::filter::WhereNode;
pub use crate::node::flatten::{FlattenConfig, FlattenNode};
pub use crate::node::from::{FromConfig, FromNode, NoLambda};
pub use crate::node::group::GroupBy;
pub use crate::node::group_by::{GroupByConfig, GroupByNode};
pub use crate::node::http_out::HttpOutNode;
pub use crate::node::http_post::{HttpPostConfig, HttpPostNode};
pub use crate::node::influxdb_out::{InfluxDbOutConfig, InfluxDbOutNode};
pub use crate::node::influxql::{InfluxQlConfig, InfluxQlNode, Method};
pub use crate::node::join::{JoinConfig, JoinFill, JoinNode};
pub use crate::node::log::{LogConfig, LogLevel, LogNode};
pub use crate::node::loopback::{LoopbackConfig, LoopbackNode};
pub use crate::node::query::{Fill, GroupByDimension, QueryConfig};
pub use crate::node::sample::{SampleNode, SampleRate};
pub use crate::node::shift::ShiftNode;
pub use crate::node::sideload::{SideloadConfig, SideloadNode};
pub use crate::node::state_tracking::{
    StateCountConfig, StateCountNode, StateDurationConfig, StateDurationNode,
};
pub use crate::node::stats::StatsNode;
pub use crate::node::union::UnionNode;
pub use crate::node::window::{WindowConfig, WindowNode};
pub use crate::point::{Batch, FieldValue, Message, Point};
pub use crate::program::program_main;
pub use crate::point::Time;
pub use crate::task::{
    Dbrp, NodeState, NodeStats, RestoreError, Route, Routes, Task, TaskContext, TaskDescriptor,
    TaskKind,
};
pub use crate::tap::Tap;

/// A node with several parents (union, join): it is told which parent a message comes from,
/// by the parent's position in the node's parents (the node it is chained from is 0).
pub trait MultiInput {
    fn push_from(&mut self, parent: usize, msg: Message, out: &mut Vec<Message>);

    fn errors(&self) -> u64;

    /// See [`Node::snapshot`].
    fn snapshot(&self) -> Option<Vec<u8>> {
        None
    }

    /// See [`Node::restore`].
    fn restore(&mut self, _bytes: &[u8]) -> Result<(), String> {
        Ok(())
    }
}

impl MultiInput for JoinNode {
    fn push_from(&mut self, parent: usize, msg: Message, out: &mut Vec<Message>) {
        JoinNode::push_from(self, parent, msg, out);
    }

    fn errors(&self) -> u64 {
        JoinNode::errors(self)
    }
}

impl MultiInput for UnionNode {
    fn push_from(&mut self, parent: usize, msg: Message, out: &mut Vec<Message>) {
        UnionNode::push_from(self, parent, msg, out);
    }

    fn errors(&self) -> u64 {
        UnionNode::errors(self)
    }
}

/// A node of a generated pipeline, with its processing counts and the buffer it emits into.
///
/// The buffer is lent out by [`Wired::push`] while the generated wiring hands the messages to
/// the node's children, and given back with [`Wired::recycle`], so a pipeline allocates no
/// output vectors once it has warmed up.
#[derive(Debug)]
pub struct Wired<N> {
    pub node: N,
    out: Vec<Message>,
    collected: u64,
    emitted: u64,
    exec_time: ExecTime,
}

impl<N> Wired<N> {
    pub fn new(node: N) -> Self {
        Wired {
            node,
            out: Vec::new(),
            collected: 0,
            emitted: 0,
            exec_time: ExecTime::default(),
        }
    }

    /// Runs `push` on the node with the lent buffer, counting the data that goes in and out
    /// (as Kapacitor, barriers and delete-groups are not counted).
    fn run(&mut self, data_in: bool, push: impl FnOnce(&mut N, &mut Vec<Message>)) -> Vec<Message> {
        self.collected += u64::from(data_in);
        let mut out = std::mem::take(&mut self.out);
        let started = self.exec_time.start();
        push(&mut self.node, &mut out);
        self.exec_time.finish(started);
        self.count_emitted(&out);
        out
    }

    fn count_emitted(&mut self, out: &[Message]) {
        self.emitted += out.iter().filter(|m| m.is_data()).count() as u64;
    }

    /// Takes back the buffer [`Wired::push`] returned, emptied, for the next message.
    pub fn recycle(&mut self, mut out: Vec<Message>) {
        out.clear();
        self.out = out;
    }

    fn stats_with(&self, name: &str, errors: u64, groups: usize) -> NodeStats {
        NodeStats {
            name: name.to_owned(),
            collected: self.collected,
            emitted: self.emitted,
            errors,
            avg_exec_time_ns: self.exec_time.average_ns(),
            working_cardinality: groups as u64,
            ..NodeStats::default()
        }
    }
}

impl<N: Node> Wired<N> {
    /// Feeds one message to the node and returns what it emitted.
    pub fn push(&mut self, msg: Message) -> Vec<Message> {
        self.run(msg.is_data(), |node, out| node.push(msg, out))
    }

    /// Tells the node the wall clock reached `now` and returns what it emitted.
    pub fn tick(&mut self, now: Time) -> Vec<Message> {
        let mut out = std::mem::take(&mut self.out);
        self.node.tick(now, &mut out);
        self.count_emitted(&out);
        out
    }

    /// The node's state, named, when it keeps any.
    pub fn snapshot(&self, name: &str) -> Option<NodeState> {
        self.node.snapshot().map(|bytes| NodeState { node: name.to_owned(), bytes })
    }

    /// Restores the node from the first state in `states` saved under `name`, noting a
    /// failure in `failures`.
    pub fn restore(&mut self, name: &str, states: &[NodeState], failures: &mut Vec<(String, String)>) {
        if let Some(state) = states.iter().find(|s| s.node == name)
            && let Err(why) = self.node.restore(&state.bytes)
        {
            failures.push((name.to_owned(), why));
        }
    }

    pub fn stats(&self, name: &str) -> NodeStats {
        NodeStats {
            handler_failures: self.node.handler_failures(),
            ..self.stats_with(name, self.node.errors(), self.node.groups())
        }
    }
}

impl<N: InPlace> Wired<N> {
    /// Feeds one message to a node that changes it where it lies (see [`InPlace`]); whether
    /// the generated wiring is to hand it to the children. What the node emitted after or
    /// instead of it waits in [`Wired::after`].
    pub fn process(&mut self, msg: &mut Message) -> bool {
        let data = msg.is_data();
        self.collected += u64::from(data);
        let started = self.exec_time.start();
        let goes_on = self.node.process(msg, &mut self.out);
        self.exec_time.finish(started);
        self.emitted += u64::from(goes_on && data);
        if !self.out.is_empty() {
            self.emitted += self.out.iter().filter(|m| m.is_data()).count() as u64;
        }
        goes_on
    }

    /// What the node emitted after (or instead of) the message [`Wired::process`] gave it,
    /// when it emitted anything: lent out like [`Wired::push`]'s buffer, and given back with
    /// [`Wired::recycle`].
    pub fn after(&mut self) -> Option<Vec<Message>> {
        (!self.out.is_empty()).then(|| std::mem::take(&mut self.out))
    }
}

impl<N: MultiInput> Wired<N> {
    /// Feeds one message from parent number `parent` to the node and returns what it emitted.
    pub fn push_from(&mut self, parent: usize, msg: Message) -> Vec<Message> {
        self.run(msg.is_data(), |node, out| node.push_from(parent, msg, out))
    }

    pub fn multi_input_stats(&self, name: &str) -> NodeStats {
        self.stats_with(name, MultiInput::errors(&self.node), 0)
    }

    /// See [`Wired::snapshot`].
    pub fn multi_input_snapshot(&self, name: &str) -> Option<NodeState> {
        MultiInput::snapshot(&self.node).map(|bytes| NodeState { node: name.to_owned(), bytes })
    }

    /// See [`Wired::restore`].
    pub fn multi_input_restore(&mut self, name: &str, states: &[NodeState], failures: &mut Vec<(String, String)>) {
        if let Some(state) = states.iter().find(|s| s.node == name)
            && let Err(why) = MultiInput::restore(&mut self.node, &state.bytes)
        {
            failures.push((name.to_owned(), why));
        }
    }
}

/// The root of a task (`stream0`, `batch0`): it passes every message on, and counts them.
#[derive(Debug, Default)]
pub struct Source;

impl Node for Source {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        out.push(msg);
    }
}

impl InPlace for Source {
    fn process(&mut self, _: &mut Message, _: &mut Vec<Message>) -> bool {
        true
    }
}

/// The node (or lambda) built from its configuration when the task starts. tickc validates
/// almost everything at compile time; what it cannot yet (alert templates are parsed here, as
/// Kapacitor parses them when a task starts) rejects the task: the program says which node and
/// why, and exits with 2, the code of a rejected task, instead of running without it.
pub fn valid<T, E: Display>(node: &str, built: Result<T, E>) -> T {
    match built {
        Ok(value) => value,
        Err(error) => {
            eprintln!("error: the task cannot start: {node}: {error}");
            std::process::exit(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{Dimensions, Fields, GroupKey, Tags};

    fn point(time: i64) -> Message {
        Message::Point(Point {
            database: "db".into(),
            retention_policy: "rp".into(),
            name: "m".into(),
            tags: Tags::new(),
            fields: Fields::new(),
            time,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        })
    }

    #[test]
    fn wired_counts_and_reuses_its_buffer() {
        let mut root = Wired::new(Source);
        let out = root.push(point(1));
        assert_eq!(out, vec![point(1)]);
        let capacity = out.capacity();
        let address = out.as_ptr();
        root.recycle(out);
        let out = root.push(point(2));
        assert_eq!(out, vec![point(2)]);
        assert_eq!((out.as_ptr(), out.capacity()), (address, capacity));
        root.recycle(out);
        assert_eq!(
            root.stats("stream0"),
            NodeStats {
                name: "stream0".into(),
                collected: 2,
                emitted: 2,
                errors: 0,
                avg_exec_time_ns: root.stats("stream0").avg_exec_time_ns,
                ..NodeStats::default()
            }
        );
    }

    /// A message a node processes where it lies counts as collected, and as emitted when it
    /// goes on; control messages count as neither.
    #[test]
    fn wired_counts_what_is_processed_in_place() {
        let mut root = Wired::new(Source);
        assert!(root.process(&mut point(1)));
        assert!(root.process(&mut Message::Barrier { group: GroupKey::default(), time: 2 }));
        let stats = root.stats("stream0");
        assert_eq!((stats.collected, stats.emitted), (1, 1));
        assert_eq!(root.after(), None);

        let mut from = Wired::new(FromNode::<NoLambda>::new(
            FromConfig { measurement: Some("other".into()), ..FromConfig::default() },
            None,
        ));
        assert!(!from.process(&mut point(3)));
        let stats = from.stats("from1");
        assert_eq!((stats.collected, stats.emitted), (1, 0));
    }

    #[test]
    fn valid_passes_a_built_value_through() {
        assert_eq!(valid::<_, String>("window1", Ok(3)), 3);
    }
}
