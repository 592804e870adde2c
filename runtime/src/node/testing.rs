//! Test support for the node tests: hand-made points and batches, a driver, and small lambdas
//! written the way generated code writes them.

use crate::expr::functions::Function;
use crate::expr::stateful::Count;
use crate::expr::{BinaryOp, EvalError, Lambda, Scope, Value, binary, predicate, reference};
use crate::point::{
    Batch, BatchPoint, Dimensions, FieldValue, Fields, GroupKey, Message, Point, Tags, Time,
};

use super::Node;

pub fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn fields(pairs: &[(&str, FieldValue)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// An ungrouped point of database `db`, retention policy `rp`, with float fields.
pub fn point(
    name: &str,
    tag_pairs: &[(&str, &str)],
    float_fields: &[(&str, f64)],
    time: Time,
) -> Point {
    let fields = float_fields
        .iter()
        .map(|(k, v)| (k.to_string(), FieldValue::Float(*v)))
        .collect();
    point_with(name, tag_pairs, fields, time)
}

pub fn point_with(name: &str, tag_pairs: &[(&str, &str)], fields: Fields, time: Time) -> Point {
    Point {
        database: "db".into(),
        retention_policy: "rp".into(),
        name: name.into(),
        tags: tags(tag_pairs),
        fields,
        time,
        dimensions: Dimensions::default(),
        group: GroupKey::default(),
    }
}

/// A point of a batch with float fields.
pub fn batch_point(
    tag_pairs: &[(&str, &str)],
    float_fields: &[(&str, f64)],
    time: Time,
) -> BatchPoint {
    BatchPoint {
        time,
        fields: float_fields
            .iter()
            .map(|(k, v)| (k.to_string(), FieldValue::Float(*v)))
            .collect(),
        tags: tags(tag_pairs),
    }
}

/// A batch grouped by the tags given (they become its dimensions); its time is its last point's.
pub fn batch(name: &str, group_tags: &[(&str, &str)], points: Vec<BatchPoint>) -> Batch {
    let tags = tags(group_tags);
    let dimensions = Dimensions {
        by_measurement: false,
        tag_names: tags.entries().map(|(k, _)| k.clone()).collect(),
    };
    let group = super::group::group_key(name, &tags, &dimensions);
    Batch {
        name: name.into(),
        time: points.last().map_or(0, |p| p.time),
        tags,
        dimensions,
        group,
        points,
    }
}

/// What tests feed a node: points, batches or messages.
pub trait Input {
    fn into_message(self) -> Message;
}

impl Input for Message {
    fn into_message(self) -> Message {
        self
    }
}

impl Input for Point {
    fn into_message(self) -> Message {
        Message::Point(self)
    }
}

impl Input for Batch {
    fn into_message(self) -> Message {
        Message::Batch(self)
    }
}

/// Pushes every input through `node` and returns all it emitted, in order.
pub fn run<I: Input>(node: &mut impl Node, inputs: impl IntoIterator<Item = I>) -> Vec<Message> {
    let mut out = Vec::new();
    for input in inputs {
        node.push(input.into_message(), &mut out);
    }
    out
}

pub fn points(out: Vec<Message>) -> Vec<Point> {
    out.into_iter()
        .filter_map(|m| match m {
            Message::Point(p) => Some(p),
            _ => None,
        })
        .collect()
}

pub fn batches(out: Vec<Message>) -> Vec<Batch> {
    out.into_iter()
        .filter_map(|m| match m {
            Message::Batch(b) => Some(b),
            _ => None,
        })
        .collect()
}

/// `lambda: "name" <op> value` as a predicate.
#[derive(Debug)]
pub struct FieldCompare {
    name: &'static str,
    op: BinaryOp,
    value: Value<'static>,
}

impl FieldCompare {
    pub fn new(name: &'static str, op: BinaryOp, value: impl Into<Value<'static>>) -> Self {
        FieldCompare {
            name,
            op,
            value: value.into(),
        }
    }
}

impl Lambda for FieldCompare {
    type State = ();

    fn eval<'a, S: Scope + ?Sized>(
        &'a self,
        scope: &'a S,
        _: &mut (),
    ) -> Result<Value<'a>, EvalError> {
        let left = reference(scope, self.name)?;
        predicate(self.op, &left, &self.value).map(Value::Bool)
    }
}

/// `lambda: "name" <op> value` as arithmetic.
#[derive(Debug)]
pub struct Arith {
    name: &'static str,
    op: BinaryOp,
    value: Value<'static>,
}

impl Arith {
    pub fn new(name: &'static str, op: BinaryOp, value: impl Into<Value<'static>>) -> Self {
        Arith {
            name,
            op,
            value: value.into(),
        }
    }
}

impl Lambda for Arith {
    type State = ();

    fn eval<'a, S: Scope + ?Sized>(
        &'a self,
        scope: &'a S,
        _: &mut (),
    ) -> Result<Value<'a>, EvalError> {
        binary(self.op, reference(scope, self.name)?, self.value.clone())
    }
}

/// `lambda: f("name")` for a one-argument builtin.
#[derive(Debug)]
pub struct Call1 {
    pub function: &'static Function,
    pub name: &'static str,
}

impl Lambda for Call1 {
    type State = ();

    fn eval<'a, S: Scope + ?Sized>(
        &'a self,
        scope: &'a S,
        _: &mut (),
    ) -> Result<Value<'a>, EvalError> {
        self.function.call(&[reference(scope, self.name)?])
    }
}

/// `lambda: "name"`.
#[derive(Debug)]
pub struct Ref(pub &'static str);

impl Lambda for Ref {
    type State = ();

    fn eval<'a, S: Scope + ?Sized>(
        &'a self,
        scope: &'a S,
        _: &mut (),
    ) -> Result<Value<'a>, EvalError> {
        reference(scope, self.0)
    }
}

/// `lambda: count()`: the stateful builtin, so per-group state shows.
#[derive(Debug)]
pub struct Counter;

impl Lambda for Counter {
    type State = Count;

    fn eval<'a, S: Scope + ?Sized>(
        &'a self,
        _: &'a S,
        count: &mut Count,
    ) -> Result<Value<'a>, EvalError> {
        count.call(&[])
    }
}

/// `lambda: TRUE`.
#[derive(Debug)]
pub struct True;

impl Lambda for True {
    type State = ();

    fn eval<'a, S: Scope + ?Sized>(&'a self, _: &'a S, _: &mut ()) -> Result<Value<'a>, EvalError> {
        Ok(Value::Bool(true))
    }
}
