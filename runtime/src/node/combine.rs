//! `|combine(lambda...)`: pairs (triples...) up points of a group that share a time.
//!
//! Points of a group with the same time (rounded to `.tolerance()`) are collected; when a point
//! with another time arrives (or a batch ends), every k-point subset of them is tried, subsets in
//! lexicographic order of arrival, k being the number of lambdas. Within a subset each lambda in
//! turn takes the first point not yet taken that it matches; a subset where some lambda finds
//! none is skipped. So each subset yields at most one point (combinations, not permutations).
//! The emitted point has every member's fields and tags prefixed with its lambda's `.as()` name,
//! except the group's dimension tags, which stay as they are.
//!
//! When a set of n points would give more than `.max()` subsets (n choose k), Kapacitor's node
//! fails and the task stops; this node then stops emitting and reports it in
//! [`CombineNode::has_failed`]. A lambda that fails to evaluate counts as not matching.

use super::Node;
use super::eval::Expressions;
use super::go_time::round;
use super::group::{GroupStates, group_key};
use super::join::prefixed;
use crate::point::{BatchPoint, Dimensions, FieldValue, Fields, Message, Point, Tags, Time};

/// Kapacitor's default `.max()`.
pub const DEFAULT_MAX_COMBINATIONS: u64 = 1_000_000;

/// What a script sets on `|combine()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CombineConfig {
    /// `.as()`: one prefix per lambda.
    pub names: Vec<String>,
    /// `.delimiter()` between the prefix and the name (default `.`).
    pub delimiter: String,
    /// `.tolerance()` in nanoseconds (0: exact times).
    pub tolerance: i64,
    /// `.max()`: the most combinations one time may produce.
    pub max: u64,
}

impl Default for CombineConfig {
    fn default() -> Self {
        CombineConfig {
            names: Vec::new(),
            delimiter: ".".into(),
            tolerance: 0,
            max: DEFAULT_MAX_COMBINATIONS,
        }
    }
}

/// A configuration that names a different number of prefixes than there are lambdas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixCountMismatch {
    pub names: usize,
    pub lambdas: usize,
}

impl std::fmt::Display for PrefixCountMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "combine has {} expressions but {} .as() prefixes: give one prefix per expression",
            self.lambdas, self.names
        )
    }
}

impl std::error::Error for PrefixCountMismatch {}

/// `|combine()`; the lambdas are predicates (`lambda: "svc" == 'front'`).
#[derive(Debug)]
pub struct CombineNode<E: Expressions> {
    config: CombineConfig,
    lambdas: E,
    groups: GroupStates<Candidates<E::State>>,
    failed: bool,
    errors: u64,
}

/// A group's points at one time, waiting for a point with another time.
#[derive(Debug)]
struct Candidates<S> {
    /// The name and dimensions of the group's first message: emitted points take them.
    name: String,
    dimensions: Dimensions,
    time: Option<Time>,
    points: Vec<BatchPoint>,
    /// How many points arrived at `time`; beyond `max + k` they are counted, not kept, since
    /// such a set exceeds `max` anyway.
    arrived: usize,
    state: S,
}

impl<S: Default> Candidates<S> {
    fn new(name: String, dimensions: Dimensions) -> Self {
        Candidates {
            name,
            dimensions,
            time: None,
            points: Vec::new(),
            arrived: 0,
            state: S::default(),
        }
    }
}

/// n choose k, or `None` when k > n (nothing to combine); saturates rather than overflow.
fn combinations(n: usize, k: usize) -> Option<u64> {
    if k > n {
        return None;
    }
    let mut count: u128 = 1;
    for i in 0..k as u128 {
        count = count.saturating_mul(n as u128 - i) / (i + 1);
    }
    Some(u64::try_from(count).unwrap_or(u64::MAX))
}

/// Calls `f` with every k-subset of `0..n`, as increasing indices, in lexicographic order.
fn for_each_subset(n: usize, k: usize, mut f: impl FnMut(&[usize])) {
    if k > n {
        return;
    }
    let mut indices: Vec<usize> = (0..k).collect();
    loop {
        f(&indices);
        // The rightmost index that can still move right.
        let Some(i) = (0..k).rev().find(|&i| indices[i] != i + n - k) else {
            return;
        };
        indices[i] += 1;
        for j in i + 1..k {
            indices[j] = indices[j - 1] + 1;
        }
    }
}

impl<E: Expressions> CombineNode<E> {
    pub fn new(config: CombineConfig, lambdas: E) -> Result<Self, PrefixCountMismatch> {
        if config.names.len() != E::LEN {
            return Err(PrefixCountMismatch {
                names: config.names.len(),
                lambdas: E::LEN,
            });
        }
        Ok(CombineNode {
            config,
            lambdas,
            groups: GroupStates::default(),
            failed: false,
            errors: 0,
        })
    }

    /// Whether a time gave more combinations than `.max()`: Kapacitor stops the task then, and
    /// this node emits nothing more.
    pub fn has_failed(&self) -> bool {
        self.failed
    }
}

/// More combinations at one time than `.max()` allows.
#[derive(Debug)]
struct TooManyCombinations;

/// What combining needs besides a group's candidates.
struct Combiner<'a, E: Expressions> {
    config: &'a CombineConfig,
    lambdas: &'a E,
    errors: &'a mut u64,
    out: &'a mut Vec<Message>,
}

impl<E: Expressions> Combiner<'_, E> {
    /// Adds a point to a group's candidates, first combining those of an earlier time.
    fn add(
        &mut self,
        candidates: &mut Candidates<E::State>,
        mut point: BatchPoint,
    ) -> Result<(), TooManyCombinations> {
        point.time = round(point.time, self.config.tolerance);
        if candidates.time != Some(point.time) {
            self.combine(candidates)?;
            candidates.time = Some(point.time);
        }
        candidates.arrived += 1;
        // A set of more than `max + k` points gives more than `max` combinations: such points
        // are counted, not kept.
        let limit = usize::try_from(self.config.max)
            .unwrap_or(usize::MAX)
            .saturating_add(E::LEN);
        if candidates.points.len() < limit {
            candidates.points.push(point);
        }
        Ok(())
    }

    /// Emits the combinations of a group's candidates and empties them.
    fn combine(
        &mut self,
        candidates: &mut Candidates<E::State>,
    ) -> Result<(), TooManyCombinations> {
        let points = std::mem::take(&mut candidates.points);
        let arrived = std::mem::replace(&mut candidates.arrived, 0);
        let k = E::LEN;
        let Some(count) = combinations(arrived, k) else {
            return Ok(());
        };
        if count > self.config.max {
            return Err(TooManyCombinations);
        }
        // matches[lambda][point]
        let matches: Vec<Vec<bool>> = (0..k)
            .map(|lambda| {
                points
                    .iter()
                    .map(
                        |p| match self.lambdas.eval_field(lambda, p, &mut candidates.state) {
                            Some(Ok(FieldValue::Bool(matched))) => matched,
                            _ => {
                                *self.errors += 1;
                                false
                            }
                        },
                    )
                    .collect()
            })
            .collect();
        let mut chosen = Vec::with_capacity(k);
        let mut free = Vec::with_capacity(k);
        for_each_subset(points.len(), k, |subset| {
            chosen.clear();
            free.clear();
            free.extend_from_slice(subset);
            for lambda_matches in &matches {
                let Some(at) = free
                    .iter()
                    .position(|&p| lambda_matches.get(p).copied().unwrap_or(false))
                else {
                    return;
                };
                chosen.push(free.remove(at));
            }
            let members = chosen.iter().filter_map(|&i| points.get(i));
            self.out
                .push(Message::Point(merge(self.config, candidates, members)));
        });
        Ok(())
    }
}

/// One emitted point from the chosen members, in lambda order.
fn merge<'a, S>(
    config: &CombineConfig,
    candidates: &Candidates<S>,
    members: impl Iterator<Item = &'a BatchPoint>,
) -> Point {
    let mut fields = Fields::new();
    let mut tags = Tags::new();
    let mut time = None;
    for (prefix, member) in config.names.iter().zip(members) {
        time.get_or_insert(member.time);
        for (name, value) in &member.fields {
            fields.insert(prefixed(prefix, &config.delimiter, name), value.clone());
        }
        for (name, value) in &member.tags {
            let is_dimension = candidates.dimensions.tag_names.iter().any(|d| d == name);
            let name = if is_dimension {
                name.to_owned()
            } else {
                prefixed(prefix, &config.delimiter, name)
            };
            tags.insert(name, value.clone());
        }
    }
    let group = group_key(&candidates.name, &tags, &candidates.dimensions);
    Point {
        database: String::new(),
        retention_policy: String::new(),
        name: candidates.name.clone(),
        tags,
        fields,
        time: time.unwrap_or_default(),
        dimensions: candidates.dimensions.clone(),
        group,
    }
}

impl<E: Expressions> Node for CombineNode<E> {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        if self.failed {
            return;
        }
        let CombineNode {
            config,
            lambdas,
            groups,
            failed,
            errors,
        } = self;
        let mut combiner = Combiner {
            config,
            lambdas,
            errors,
            out,
        };
        let done = match msg {
            Message::Point(p) => {
                let candidates = groups.get_or_insert_with(&p.group, || {
                    Candidates::new(p.name.clone(), p.dimensions.clone())
                });
                let point = BatchPoint {
                    time: p.time,
                    fields: p.fields,
                    tags: p.tags,
                };
                combiner.add(candidates, point)
            }
            Message::Batch(batch) => {
                let candidates = groups.get_or_insert_with(&batch.group, || {
                    Candidates::new(batch.name.clone(), batch.dimensions.clone())
                });
                // A batch is combined on its own, under its name; its first point combines
                // whatever an earlier message left, and what is left at its end goes then.
                candidates.name = batch.name;
                candidates.time = None;
                batch
                    .points
                    .into_iter()
                    .try_for_each(|p| combiner.add(candidates, p))
                    .and_then(|()| combiner.combine(candidates))
            }
        };
        if done.is_err() {
            *failed = true;
            *errors += 1;
        }
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}
