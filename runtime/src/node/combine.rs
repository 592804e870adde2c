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
use crate::point::{Str, BatchPoint, Dimensions, FieldValue, Fields, Message, Point, Tags, Time};

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
    name: Str,
    dimensions: Dimensions,
    time: Option<Time>,
    points: Vec<BatchPoint>,
    /// How many points arrived at `time`; beyond `max + k` they are counted, not kept, since
    /// such a set exceeds `max` anyway.
    arrived: usize,
    state: S,
}

impl<S: Default> Candidates<S> {
    fn new(name: Str, dimensions: Dimensions) -> Self {
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
        let Some(product) = count.checked_mul(n as u128 - i) else {
            return Some(u64::MAX);
        };
        count = product / (i + 1);
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
        database: Default::default(),
        retention_policy: Default::default(),
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
            // As in Kapacitor, a barrier passes without combining what waits, and a deleted
            // group's waiting points are dropped.
            Message::DeleteGroup { group } => {
                groups.remove(&group);
                combiner.out.push(Message::DeleteGroup { group });
                Ok(())
            }
            barrier @ Message::Barrier { .. } => {
                combiner.out.push(barrier);
                Ok(())
            }
        };
        if done.is_err() {
            *failed = true;
            *errors += 1;
        }
    }

    fn groups(&self) -> usize {
        self.groups.len()
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::BinaryOp;
    use crate::node::group::regroup_point;
    use crate::node::testing::{FieldCompare, True, batch, batch_point, point, points, run};

    const S: i64 = 1_000_000_000;

    fn config(names: &[&str]) -> CombineConfig {
        CombineConfig {
            names: names.iter().map(|s| s.to_string()).collect(),
            ..CombineConfig::default()
        }
    }

    fn role(r: &'static str) -> FieldCompare {
        FieldCompare::new("role", BinaryOp::Eq, r)
    }

    fn shown(points: &[Point]) -> Vec<String> {
        points
            .iter()
            .map(|p| format!("{:?} {:?} @{}", p.tags, p.fields, p.time / S))
            .collect()
    }

    #[test]
    fn subsets_in_order_of_arrival() {
        let mut seen = Vec::new();
        for_each_subset(4, 2, |s| seen.push(s.to_vec()));
        assert_eq!(
            seen,
            [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]].map(Vec::from)
        );
        let mut none = 0;
        for_each_subset(1, 2, |_| none += 1);
        assert_eq!(none, 0);
        assert_eq!(combinations(4, 2), Some(6));
        assert_eq!(combinations(10, 3), Some(120));
        assert_eq!(combinations(1, 2), None);
        assert_eq!(combinations(5_000_000, 4), Some(u64::MAX));
    }

    #[test]
    fn each_lambda_takes_the_first_free_point_it_matches() {
        let mut node =
            CombineNode::new(config(&["a", "b", "c"]), (role("x"), role("y"), role("y"))).unwrap();
        let p = |id: &str, r: &str, t: i64| {
            point(
                "m",
                &[("id", id), ("role", r)],
                &[("v", id.parse().unwrap())],
                t,
            )
        };
        let out = points(run(
            &mut node,
            [
                p("1", "x", 0),
                p("2", "y", 0),
                p("3", "y", 0),
                p("4", "y", 0),
                p("9", "x", S),
            ],
        ));
        let ids: Vec<String> = out
            .iter()
            .map(|p| {
                ["a.id", "b.id", "c.id"]
                    .map(|t| p.tags.get(t).cloned().unwrap_or_default())
                    .concat()
            })
            .collect();
        assert_eq!(ids, ["123", "124", "134"]);
        assert_eq!(
            shown(&out[..1]),
            [
                r#"{"a.id": "1", "a.role": "x", "b.id": "2", "b.role": "y", "c.id": "3", "c.role": "y"} {"a.v": Float(1.0), "b.v": Float(2.0), "c.v": Float(3.0)} @0"#
            ]
        );
    }

    #[test]
    fn group_dimensions_stay_unprefixed_and_times_round() {
        let mut node = CombineNode::new(
            CombineConfig {
                tolerance: 2 * S,
                ..config(&["p", "q"])
            },
            (True, True),
        )
        .unwrap();
        let p = |k: &str, t: i64| {
            let mut p = point("m", &[("dc", "ams"), ("k", k)], &[("v", 1.0)], t);
            p.dimensions.tag_names = ["dc"].map(crate::point::Str::from).into();
            regroup_point(&mut p);
            p
        };
        let out = points(run(
            &mut node,
            [p("a", 3 * S), p("b", 4 * S), p("c", 6 * S)],
        ));
        assert_eq!(
            shown(&out),
            [r#"{"dc": "ams", "p.k": "a", "q.k": "b"} {"p.v": Float(1.0), "q.v": Float(1.0)} @4"#]
        );
        assert_eq!(out[0].group.as_str(), "dc=ams");
    }

    #[test]
    fn batches_are_combined_into_points_by_time() {
        let mut node = CombineNode::new(config(&["p", "q"]), (True, True)).unwrap();
        let b = batch(
            "b",
            &[],
            vec![
                batch_point(&[("k", "a")], &[], 0),
                batch_point(&[("k", "b")], &[], 0),
                batch_point(&[("k", "c")], &[], S),
                batch_point(&[("k", "d")], &[], S),
                batch_point(&[("k", "e")], &[], S),
            ],
        );
        let out = points(run(&mut node, [b]));
        assert_eq!(out.len(), 4);
        assert!(out.iter().all(|p| p.name == "b"));
        assert_eq!(out.iter().filter(|p| p.time == S).count(), 3);
    }

    #[test]
    fn too_many_combinations_stop_the_node() {
        let mut node = CombineNode::new(
            CombineConfig {
                max: 3,
                ..config(&["p", "q"])
            },
            (True, True),
        )
        .unwrap();
        let p = |k: &str, t: i64| point("m", &[("k", k)], &[], t);
        let three = [p("a", 0), p("b", 0), p("c", 0)];
        let four = [p("a", S), p("b", S), p("c", S), p("d", S)];
        let out = run(
            &mut node,
            three.into_iter().chain(four).chain([p("z", 2 * S)]),
        );
        assert_eq!(out.len(), 3);
        assert!(node.has_failed());
        assert_eq!(node.errors(), 1);
        assert!(run(&mut node, [p("a", 3 * S), p("b", 3 * S), p("z", 4 * S)]).is_empty());
    }

    #[test]
    fn a_failing_lambda_does_not_match() {
        let mut node = CombineNode::new(
            config(&["p", "q"]),
            (FieldCompare::new("v", BinaryOp::Gt, 0.0), True),
        )
        .unwrap();
        let out = run(
            &mut node,
            [
                point("m", &[], &[("v", 1.0)], 0),
                point("m", &[], &[], 0),
                point("m", &[], &[], S),
            ],
        );
        assert_eq!(out.len(), 1);
        assert_eq!(node.errors(), 1);
    }

    #[test]
    fn prefixes_must_match_the_lambdas() {
        assert!(CombineNode::new(config(&["p"]), (True, True)).is_err());
    }
}
