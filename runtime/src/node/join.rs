//! `|join(node...)`: joins the messages of several parents that share a group and a time.
//!
//! Times are rounded to `.tolerance()` (halves up, as Go rounds), and the joined message carries
//! the rounded time. Without `.on()`, messages meet in the group they already have; with it,
//! messages grouped more finely are matched with those grouped by the `.on()` tags alone (see
//! [`on`]). Within a group, sets of one message per parent wait in time order until complete or
//! until every parent has moved past their time (see [`waiting`]); the fields of the joined
//! message are the members' fields renamed `<as><delimiter><field>` (see [`set`]). Points join
//! into a point, batches into a batch (whose points are joined by time in turn).
//!
//! Unlike other nodes a join is fed per parent ([`JoinNode::push_from`]), so it does not
//! implement [`super::Node`].

mod on;
mod set;
mod waiting;

use std::collections::HashMap;
use std::fmt;

use self::on::OnMatcher;
use self::waiting::WaitingSets;
use super::go_time::round;
use crate::point::{FieldValue, GroupKey, Message, Time};

/// `.fill()`: what a set missing a parent's member becomes.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum JoinFill {
    /// `none` (the default): an inner join, the set is dropped.
    #[default]
    None,
    /// `null`: the missing fields are left out (Kapacitor gives them a null value, which the
    /// point model cannot hold).
    Null,
    /// A number: the missing member's fields take it.
    Value(FieldValue),
}

/// What a script sets on `|join()`.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinConfig {
    /// `.as()`: one prefix per parent, the node it is chained from first.
    pub names: Vec<String>,
    /// `.on()`: the tags to join on, when the parents are grouped differently.
    pub on: Vec<String>,
    /// `.delimiter()` between the prefix and the field name (default `.`).
    pub delimiter: String,
    /// `.tolerance()` in nanoseconds (0: exact times).
    pub tolerance: i64,
    pub fill: JoinFill,
    /// `.streamName()`: the joined messages' name (default: the first member's).
    pub stream_name: Option<String>,
}

impl Default for JoinConfig {
    fn default() -> Self {
        JoinConfig {
            names: Vec::new(),
            on: Vec::new(),
            delimiter: ".".into(),
            tolerance: 0,
            fill: JoinFill::None,
            stream_name: None,
        }
    }
}

/// Why a join configuration cannot run (the checks of Kapacitor's pipeline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinConfigError {
    NoNames,
    EmptyName,
    NameContainsDelimiter { name: String, delimiter: String },
    DuplicateName(String),
}

impl fmt::Display for JoinConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinConfigError::NoNames => {
                f.write_str("join needs .as() to name the prefix of each joined stream")
            }
            JoinConfigError::EmptyName => f.write_str("a join prefix in .as() cannot be empty"),
            JoinConfigError::NameContainsDelimiter { name, delimiter } => write!(
                f,
                "the join prefix {name:?} contains the delimiter {delimiter:?}"
            ),
            JoinConfigError::DuplicateName(name) => {
                write!(f, "the join prefix {name:?} is given twice in .as()")
            }
        }
    }
}

impl std::error::Error for JoinConfigError {}

/// `<prefix><delimiter><name>`: a joined or combined field (or tag) name.
pub(super) fn prefixed(prefix: &str, delimiter: &str, name: &str) -> String {
    let mut joined = String::with_capacity(prefix.len() + delimiter.len() + name.len());
    joined.push_str(prefix);
    joined.push_str(delimiter);
    joined.push_str(name);
    joined
}

/// A message on its way to a join group: from which parent, at which rounded time.
#[derive(Debug, Clone)]
struct Arrival {
    parent: usize,
    time: Time,
    /// The join group it goes to.
    group: GroupKey,
    msg: Message,
}

/// `|join()`.
#[derive(Debug)]
pub struct JoinNode {
    config: JoinConfig,
    /// Set when joining `.on()` tags.
    matcher: Option<OnMatcher>,
    groups: HashMap<GroupKey, WaitingSets>,
    /// Reused between messages.
    routed: Vec<Arrival>,
    errors: u64,
}

impl JoinNode {
    /// A join of as many parents as `config.names` has prefixes.
    pub fn new(config: JoinConfig) -> Result<Self, JoinConfigError> {
        if config.names.is_empty() {
            return Err(JoinConfigError::NoNames);
        }
        for (i, name) in config.names.iter().enumerate() {
            if name.is_empty() {
                return Err(JoinConfigError::EmptyName);
            }
            if !config.delimiter.is_empty() && name.contains(&config.delimiter) {
                return Err(JoinConfigError::NameContainsDelimiter {
                    name: name.clone(),
                    delimiter: config.delimiter.clone(),
                });
            }
            if config.names[..i].contains(name) {
                return Err(JoinConfigError::DuplicateName(name.clone()));
            }
        }
        let matcher =
            (!config.on.is_empty()).then(|| OnMatcher::new(config.on.clone(), config.names.len()));
        Ok(JoinNode {
            config,
            matcher,
            groups: HashMap::new(),
            routed: Vec::new(),
            errors: 0,
        })
    }

    /// How many parents the join has.
    pub fn parents(&self) -> usize {
        self.config.names.len()
    }

    /// Processes a message from parent number `parent` (the node it is chained from is 0).
    pub fn push_from(&mut self, parent: usize, msg: Message, out: &mut Vec<Message>) {
        if parent >= self.parents() {
            self.errors += 1;
            return;
        }
        let (time, group) = match &msg {
            Message::Point(p) => (p.time, &p.group),
            Message::Batch(b) => (b.time, &b.group),
        };
        let arrival = Arrival {
            parent,
            time: round(time, self.config.tolerance),
            group: group.clone(),
            msg,
        };
        let Some(matcher) = &mut self.matcher else {
            self.collect(arrival, out);
            return;
        };
        let mut routed = std::mem::take(&mut self.routed);
        matcher.arrive(arrival, &mut routed);
        for arrival in routed.drain(..) {
            self.collect(arrival, out);
        }
        self.routed = routed;
    }

    /// Sends every set still waiting, group by group in time order (when the task stops).
    pub fn drain(&mut self, out: &mut Vec<Message>) {
        let mut groups: Vec<_> = self.groups.drain().collect();
        groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (_, mut waiting) in groups {
            waiting.drain(|set| emit(&self.config, &mut self.errors, set, out));
        }
    }

    /// Messages from an unknown parent, and sets mixing points and batches.
    pub fn errors(&self) -> u64 {
        self.errors
    }

    /// How many groups the join holds (Kapacitor's `working_cardinality`).
    pub fn cardinality(&self) -> usize {
        self.groups.len()
    }

    fn collect(&mut self, arrival: Arrival, out: &mut Vec<Message>) {
        let parents = self.parents();
        let waiting = self
            .groups
            .entry(arrival.group)
            .or_insert_with(|| WaitingSets::new(parents));
        waiting.collect(arrival.parent, arrival.msg, arrival.time, |set| {
            emit(&self.config, &mut self.errors, set, out);
        });
    }
}

fn emit(config: &JoinConfig, errors: &mut u64, set: set::JoinSet, out: &mut Vec<Message>) {
    match set.join(config) {
        Ok(joined) => out.extend(joined),
        Err(set::MixedKinds) => *errors += 1,
    }
}
