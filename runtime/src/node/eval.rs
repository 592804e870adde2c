//! `|eval(lambda...)`: computes new fields (or tags) from each point.
//!
//! The expressions run in order, and a later one sees the earlier results under their `.as()`
//! names, unless the point itself has a field or tag of that name (Kapacitor fills a lambda's
//! scope from the point first). `.tags()` turns string results into tags; `.keep()` decides what
//! the point keeps: by default only the new fields, `.keep()` every field, `.keep(names)` just
//! those. Any failure drops the point (on batches, that point of the batch).
//!
//! The lambdas of one eval have different types, so the node is generic over a list of them:
//! [`Expressions`], implemented for tuples of [`Lambda`]s (`EvalNode<(L0, L1)>`), which is all
//! codegen needs to instantiate; beyond twelve expressions generated code implements the trait
//! itself with a `match` on the index. Dispatch stays static either way.

use super::group::{GroupStates, regroup_point};
use super::{InPlace, Node, control_in_place, push_in_place};
use crate::expr::{EvalError, Lambda, Scope};
use crate::point::{FieldValue, Fields, Message, Str, Tags, Time};

/// The ordered expressions of an eval node.
pub trait Expressions {
    /// The state of every expression's stateful functions; kept per group.
    type State: Default;
    /// How many expressions there are.
    const LEN: usize;

    /// Evaluates expression `index` (below `LEN`) into a field value.
    fn eval_field<S: Scope + ?Sized>(
        &self,
        index: usize,
        scope: &S,
        state: &mut Self::State,
    ) -> Option<Result<FieldValue, EvalError>>;
}

macro_rules! tuple_expressions {
    ($len:expr => $($index:tt $lambda:ident),+) => {
        impl<$($lambda: Lambda),+> Expressions for ($($lambda,)+) {
            type State = ($($lambda::State,)+);
            const LEN: usize = $len;

            fn eval_field<S: Scope + ?Sized>(
                &self,
                index: usize,
                scope: &S,
                state: &mut Self::State,
            ) -> Option<Result<FieldValue, EvalError>> {
                match index {
                    $($index => Some(
                        self.$index
                            .eval(scope, &mut state.$index)
                            .and_then(crate::expr::Value::into_field),
                    ),)+
                    _ => None,
                }
            }
        }
    };
}

tuple_expressions!(1 => 0 A);
tuple_expressions!(2 => 0 A, 1 B);
tuple_expressions!(3 => 0 A, 1 B, 2 C);
tuple_expressions!(4 => 0 A, 1 B, 2 C, 3 D);
tuple_expressions!(5 => 0 A, 1 B, 2 C, 3 D, 4 E);
tuple_expressions!(6 => 0 A, 1 B, 2 C, 3 D, 4 E, 5 F);
tuple_expressions!(7 => 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G);
tuple_expressions!(8 => 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H);
tuple_expressions!(9 => 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I);
tuple_expressions!(10 => 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J);
tuple_expressions!(11 => 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K);
tuple_expressions!(12 => 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L);

/// Which fields a point keeps after eval.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Keep {
    /// No `.keep()`: only the new fields (results made tags are not fields).
    #[default]
    NewFields,
    /// `.keep()`: every field, plus every result (tag results too).
    All,
    /// `.keep('a', 'b')`: exactly these, each a result or else an existing field.
    Only(Vec<String>),
}

/// What a script sets on `|eval()`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EvalConfig {
    /// `.as()`: one name per expression.
    pub names: Vec<String>,
    /// `.tags()`: results (named in `.as()`) that become tags; they must be strings.
    pub tags: Vec<String>,
    pub keep: Keep,
    /// `.quiet()`: failures are not reported (nor counted, as in Kapacitor's stats).
    pub quiet: bool,
}

/// A configuration that names a different number of results than there are expressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCountMismatch {
    pub names: usize,
    pub expressions: usize,
}

impl std::fmt::Display for NameCountMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "eval has {} expressions but {} .as() names: give one name per expression",
            self.expressions, self.names
        )
    }
}

impl std::error::Error for NameCountMismatch {}

/// What the node writes, its names made shared strings once, so that naming a result costs a
/// reference count per point rather than a string copy.
#[derive(Debug)]
struct Outputs {
    names: Vec<Str>,
    tags: Vec<Str>,
    keep: KeptFields,
    quiet: bool,
}

/// [`Keep`], with shared names.
#[derive(Debug)]
enum KeptFields {
    NewFields,
    All,
    Only(Vec<Str>),
}

impl From<EvalConfig> for Outputs {
    fn from(config: EvalConfig) -> Self {
        let shared = |names: Vec<String>| names.into_iter().map(Str::from).collect();
        Outputs {
            names: shared(config.names),
            tags: shared(config.tags),
            keep: match config.keep {
                Keep::NewFields => KeptFields::NewFields,
                Keep::All => KeptFields::All,
                Keep::Only(names) => KeptFields::Only(shared(names)),
            },
            quiet: config.quiet,
        }
    }
}

/// `|eval()`.
#[derive(Debug)]
pub struct EvalNode<E: Expressions> {
    config: Outputs,
    expressions: E,
    states: GroupStates<E::State>,
    /// The current point's results so far, reused between points.
    results: Vec<FieldValue>,
    errors: u64,
}

impl<E: Expressions> EvalNode<E> {
    pub fn new(config: EvalConfig, expressions: E) -> Result<Self, NameCountMismatch> {
        if config.names.len() != E::LEN {
            return Err(NameCountMismatch {
                names: config.names.len(),
                expressions: E::LEN,
            });
        }
        Ok(EvalNode {
            config: Outputs::from(config),
            expressions,
            states: GroupStates::default(),
            results: Vec::with_capacity(E::LEN),
            errors: 0,
        })
    }

    fn fail(&mut self) {
        if !self.config.quiet {
            self.errors += 1;
        }
    }
}

/// A point seen by an eval expression: its own fields and tags first, then the results of the
/// expressions before.
struct WithResults<'a, S: ?Sized> {
    point: &'a S,
    names: &'a [Str],
    results: &'a [FieldValue],
}

impl<S: Scope + ?Sized> Scope for WithResults<'_, S> {
    fn field(&self, name: &str) -> Option<&FieldValue> {
        self.point.field(name).or_else(|| {
            if self.point.tag(name).is_some() {
                return None;
            }
            result_named(self.names, self.results, name)
        })
    }

    fn tag(&self, name: &str) -> Option<&str> {
        self.point.tag(name)
    }

    fn time(&self) -> Time {
        self.point.time()
    }
}

/// The latest result named `name` (a later `.as()` of the same name wins).
fn result_named<'r>(
    names: &[Str],
    results: &'r [FieldValue],
    name: &str,
) -> Option<&'r FieldValue> {
    let index = names
        .get(..results.len())?
        .iter()
        .rposition(|n| n.as_str() == name)?;
    results.get(index)
}

/// Runs every expression on `point`, leaving the results in `results`.
fn evaluate<E: Expressions, S: Scope>(
    expressions: &E,
    names: &[Str],
    point: &S,
    state: &mut E::State,
    results: &mut Vec<FieldValue>,
) -> Result<(), EvalError> {
    results.clear();
    for index in 0..E::LEN {
        let scope = WithResults {
            point,
            names,
            results: results.as_slice(),
        };
        match expressions.eval_field(index, &scope, state) {
            Some(result) => results.push(result?),
            None => break,
        }
    }
    Ok(())
}

/// Applies the results to a point's fields and tags; `false` when that fails (a tag result
/// that is not a string, a kept field that does not exist).
fn apply(
    config: &Outputs,
    results: &[FieldValue],
    fields: &mut Fields,
    tags: &mut Tags,
) -> bool {
    let names = &config.names;
    for tag in &config.tags {
        match result_named(names, results, tag) {
            Some(FieldValue::String(value)) => {
                tags.insert(tag.clone(), value.clone());
            }
            _ => return false,
        }
    }
    match &config.keep {
        KeptFields::NewFields => {
            fields.clear();
            for (name, value) in names.iter().zip(results) {
                if !config.tags.contains(name) {
                    fields.insert(name.clone(), value.clone());
                }
            }
        }
        KeptFields::All => {
            // Exactly the room the new fields need: a point a window then holds keeps no slack.
            fields.reserve_exact(names.len());
            for (name, value) in names.iter().zip(results) {
                fields.insert(name.clone(), value.clone());
            }
        }
        KeptFields::Only(kept) => {
            let mut new_fields = Fields::with_capacity(kept.len());
            for name in kept {
                match result_named(names, results, name).or_else(|| fields.get(name)) {
                    Some(value) => {
                        new_fields.insert(name.clone(), value.clone());
                    }
                    None => return false,
                }
            }
            *fields = new_fields;
        }
    }
    true
}

impl<E: Expressions> InPlace for EvalNode<E> {
    fn process(&mut self, msg: &mut Message, _after: &mut Vec<Message>) -> bool {
        match msg {
            Message::Point(point) => {
                let mut state = self.states.get(&point.group);
                let names = &self.config.names;
                let done = evaluate(
                    &self.expressions,
                    names,
                    &*point,
                    &mut state,
                    &mut self.results,
                )
                .is_ok()
                    && apply(
                        &self.config,
                        &self.results,
                        &mut point.fields,
                        &mut point.tags,
                    );
                if done {
                    if !self.config.tags.is_empty() {
                        regroup_point(point);
                    }
                } else {
                    self.fail();
                }
                done
            }
            Message::Batch(batch) => {
                let mut state = self.states.get(&batch.group);
                let mut failed = 0;
                batch.points.retain_mut(|p| {
                    let done = evaluate(
                        &self.expressions,
                        &self.config.names,
                        p,
                        &mut state,
                        &mut self.results,
                    )
                    .is_ok()
                        && apply(&self.config, &self.results, &mut p.fields, &mut p.tags);
                    failed += u64::from(!done);
                    done
                });
                drop(state);
                for _ in 0..failed {
                    self.fail();
                }
                true
            }
            control @ (Message::DeleteGroup { .. } | Message::Barrier { .. }) => {
                control_in_place(control, |group| {
                    self.states.remove(group);
                })
            }
        }
    }
}

impl<E: Expressions> Node for EvalNode<E> {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        push_in_place(self, msg, out);
    }

    fn groups(&self) -> usize {
        self.states.len()
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::BinaryOp;
    use crate::expr::functions::STR_TO_UPPER;
    use crate::node::testing::{
        Arith, Call1, Counter, Ref, batch, batch_point, batches, fields, point, point_with, points,
        run,
    };
    use crate::point::GroupKey;

    fn config(names: &[&str], tags: &[&str], keep: Keep) -> EvalConfig {
        EvalConfig {
            names: names.iter().map(|s| s.to_string()).collect(),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            keep,
            quiet: false,
        }
    }

    #[test]
    fn later_expressions_see_earlier_results() {
        // eval_chained_results: "x" * 2.0, "double" + 1.0, "plus" * "plus", "x".
        let mut node = EvalNode::new(
            config(&["double", "plus", "x_copy"], &[], Keep::NewFields),
            (
                Arith::new("x", BinaryOp::Mul, 2.0),
                Arith::new("double", BinaryOp::Add, 1.0),
                Ref("x"),
            ),
        )
        .unwrap();
        let out = points(run(&mut node, [point("m", &[], &[("x", -2.5)], 0)]));
        assert_eq!(
            format!("{:?}", out[0].fields),
            r#"{"double": Float(-5.0), "plus": Float(-4.0), "x_copy": Float(-2.5)}"#
        );
    }

    #[test]
    fn the_point_shadows_results_of_the_same_name() {
        let mut node = EvalNode::new(
            config(&["v", "w"], &[], Keep::NewFields),
            (Arith::new("v", BinaryOp::Mul, 10.0), Ref("v")),
        )
        .unwrap();
        let out = points(run(&mut node, [point("m", &[], &[("v", 2.0)], 0)]));
        assert_eq!(
            format!("{:?}", out[0].fields),
            r#"{"v": Float(20.0), "w": Float(2.0)}"#
        );
    }

    #[test]
    fn tags_and_keep_all() {
        // eval_tags_keep: strToUpper("host") as a tag, and "v" * 3, keeping everything.
        let mut node = EvalNode::new(
            config(&["host", "v3"], &["host"], Keep::All),
            (
                Call1 {
                    function: &STR_TO_UPPER,
                    name: "host",
                },
                Arith::new("v", BinaryOp::Mul, 3.0),
            ),
        )
        .unwrap();
        let mut p = point("m", &[("host", "node0"), ("dc", "d0")], &[("v", 1.0)], 0);
        p.dimensions.tag_names = ["host"].map(crate::point::Str::from).into();
        let out = points(run(&mut node, [p]));
        assert_eq!(
            format!("{:?} {:?}", out[0].tags, out[0].fields),
            r#"{"dc": "d0", "host": "NODE0"} {"host": String("NODE0"), "v": Float(1.0), "v3": Float(3.0)}"#
        );
        assert_eq!(out[0].group.as_str(), "host=NODE0");
    }

    #[test]
    fn tag_results_are_not_fields_without_keep_and_must_be_strings() {
        let mut node = EvalNode::new(
            config(&["host", "v3"], &["host"], Keep::NewFields),
            (
                Call1 {
                    function: &STR_TO_UPPER,
                    name: "host",
                },
                Arith::new("v", BinaryOp::Mul, 3.0),
            ),
        )
        .unwrap();
        let out = points(run(
            &mut node,
            [point("m", &[("host", "a")], &[("v", 1.0)], 0)],
        ));
        assert_eq!(
            format!("{:?} {:?}", out[0].tags, out[0].fields),
            r#"{"host": "A"} {"v3": Float(3.0)}"#
        );

        let mut numeric_tag =
            EvalNode::new(config(&["n"], &["n"], Keep::NewFields), (Ref("v"),)).unwrap();
        assert!(run(&mut numeric_tag, [point("m", &[], &[("v", 1.0)], 0)]).is_empty());
        assert_eq!(numeric_tag.errors(), 1);
    }

    #[test]
    fn keep_names_takes_results_then_fields() {
        let mut node = EvalNode::new(
            config(&["d"], &[], Keep::Only(vec!["d".into(), "a".into()])),
            (Arith::new("a", BinaryOp::Mul, 2.0),),
        )
        .unwrap();
        let out = points(run(
            &mut node,
            [point("m", &[], &[("a", 1.0), ("b", 5.0)], 0)],
        ));
        assert_eq!(
            format!("{:?}", out[0].fields),
            r#"{"a": Float(1.0), "d": Float(2.0)}"#
        );

        let mut missing = EvalNode::new(
            config(&["d"], &[], Keep::Only(vec!["nope".into()])),
            (Arith::new("a", BinaryOp::Mul, 2.0),),
        )
        .unwrap();
        assert!(run(&mut missing, [point("m", &[], &[("a", 1.0)], 0)]).is_empty());
    }

    #[test]
    fn failures_drop_the_point_and_quiet_does_not_count_them() {
        let fields_int = fields(&[("i", FieldValue::Int(1))]);
        for quiet in [false, true] {
            let mut node = EvalNode::new(
                EvalConfig {
                    quiet,
                    ..config(&["x"], &[], Keep::NewFields)
                },
                (Arith::new("i", BinaryOp::Add, 1.5),),
            )
            .unwrap();
            let out = run(&mut node, [point_with("m", &[], fields_int.clone(), 0)]);
            assert!(out.is_empty());
            assert_eq!(node.errors(), u64::from(!quiet));
        }
    }

    #[test]
    fn state_is_per_group_and_survives_batches() {
        let mut node = EvalNode::new(config(&["n"], &[], Keep::NewFields), (Counter,)).unwrap();
        let grouped = |host: &str| {
            let mut p = point("m", &[("host", host)], &[], 0);
            p.group = GroupKey(format!("host={host}").into());
            p
        };
        let out = points(run(&mut node, [grouped("a"), grouped("b"), grouped("a")]));
        let counts: Vec<String> = out.iter().map(|p| format!("{:?}", p.fields)).collect();
        assert_eq!(
            counts,
            [r#"{"n": Int(1)}"#, r#"{"n": Int(1)}"#, r#"{"n": Int(2)}"#]
        );

        let mut node = EvalNode::new(config(&["n"], &[], Keep::NewFields), (Counter,)).unwrap();
        let b = || {
            batch(
                "m",
                &[],
                vec![batch_point(&[], &[], 1), batch_point(&[], &[], 2)],
            )
        };
        let out = batches(run(&mut node, [b(), b()]));
        assert_eq!(format!("{:?}", out[1].points[1].fields), r#"{"n": Int(4)}"#);
    }

    #[test]
    fn a_batch_loses_only_its_failing_points() {
        let mut node = EvalNode::new(
            config(&["y"], &[], Keep::NewFields),
            (Arith::new("v", BinaryOp::Mul, 2.0),),
        )
        .unwrap();
        let b = batch(
            "m",
            &[],
            vec![
                batch_point(&[], &[("v", 1.0)], 1),
                batch_point(&[], &[], 2),
                batch_point(&[], &[("v", 3.0)], 3),
            ],
        );
        let out = batches(run(&mut node, [b]));
        assert_eq!(
            out[0].points.iter().map(|p| p.time).collect::<Vec<_>>(),
            [1, 3]
        );
        assert_eq!(node.errors(), 1);
    }

    #[test]
    fn name_count_must_match() {
        assert!(EvalNode::new(config(&["a", "b"], &[], Keep::NewFields), (Ref("x"),)).is_err());
    }
}
