//! InfluxQL functions as pipeline nodes: `|count()`, `|mean()`, `|percentile()`, `|top()`,
//! `|difference()`, `|holtWinters()` and the rest of Kapacitor's 21 InfluxQL methods.
//!
//! The node works per group, on either edge:
//! - a batch (a window, a query result) is reduced as a whole and the result takes the batch's
//!   time; an empty batch yields 0 for count and sum and nothing for the others;
//! - a stream is cut into steps of points sharing a time; a step is reduced when the first
//!   point with a later (or earlier) time arrives, so the last step never leaves.
//!
//! Aggregates emit a point with the group's tags and the one field `as`; selectors emit the
//! selected point whole with the field renamed; distinct, top, bottom and holtWinters emit a
//! batch; transformations emit per input point on the input's kind of edge and restart with
//! every batch. `.usePointTimes()` (always on for transformations and holtWinters) gives the
//! results the times InfluxQL's reducers set, where they set one.

mod aggregates;
mod column;
#[cfg(test)]
mod conformance_tests;
mod go_order;
mod go_pow;
mod holt_winters;
mod method;
mod nelder_mead;
mod selectors;
mod transformations;


use crate::node::Node;
use crate::node::group::group_tags;
use crate::node::pass_control;
use crate::point::{Batch, BatchPoint, Dimensions, FieldValue, Fields, GroupKey, GroupMap, Message, Point, Str, Tags, Time};
use column::{Column, Kind};
use method::Role;
pub use method::{InfluxQlConfig, InfluxQlConfigError, Method};
use selectors::End;
use transformations::{Transformation, Transformer};

/// A value a reducer produced.
#[derive(Debug, Clone, PartialEq)]
struct Reduced {
    /// The time the reducer gave it; `None` where InfluxQL leaves it unset, and the window's
    /// (or step's) time is used even with `.usePointTimes()`.
    time: Option<Time>,
    value: FieldValue,
    /// The index of the row it was selected from (selectors).
    row: Option<usize>,
}

/// An InfluxQL method applied per group.
pub struct InfluxQlNode {
    config: InfluxQlConfig,
    role: Role,
    point_times: bool,
    groups: GroupMap<Group>,
    errors: u64,
}

/// What a group keeps between messages.
struct Group {
    /// The measurement of the group's first message. Kapacitor names batch results and
    /// transformed points after it for the group's whole life.
    name: Str,
    tags: Tags,
    dimensions: Dimensions,
    key: GroupKey,
    /// Stream input: the points sharing the current time, waiting for a later one.
    step: Step,
    /// Stream input to a transformation: its state, once the field's type is known.
    transformer: Option<Transformer>,
}

struct Step {
    /// The measurement of the step's first point names its result.
    name: Str,
    time: Time,
    rows: Vec<BatchPoint>,
}

impl InfluxQlNode {
    pub fn new(config: InfluxQlConfig) -> Result<Self, InfluxQlConfigError> {
        let role = config.role()?;
        let point_times = config.use_point_times
            || matches!(role, Role::Transformation(_))
            || matches!(config.method, Method::HoltWinters { .. });
        Ok(InfluxQlNode {
            config,
            role,
            point_times,
            groups: GroupMap::default(),
            errors: 0,
        })
    }

    fn push_point(&mut self, point: Point, out: &mut Vec<Message>) {
        let group = self
            .groups
            .entry(point.group.clone())
            .or_insert_with(|| Group {
                name: point.name.clone(),
                tags: group_tags(&point.tags, &point.dimensions),
                dimensions: point.dimensions.clone(),
                key: point.group.clone(),
                step: Step {
                    name: point.name.clone(),
                    time: point.time,
                    rows: Vec::new(),
                },
                transformer: None,
            });
        if let Role::Transformation(transformation) = self.role {
            let field = point.fields.get(&self.config.field);
            let fed = feed(
                &mut group.transformer,
                transformation,
                point.time,
                field,
                &mut self.errors,
            );
            if let Some((time, value)) = fed {
                out.push(Message::Point(Point {
                    database: Default::default(),
                    retention_policy: Default::default(),
                    name: group.name.clone(),
                    tags: group.tags.clone(),
                    fields: Fields::from_pairs([(self.config.as_name.as_str().into(), value)]),
                    time,
                    dimensions: group.dimensions.clone(),
                    group: group.key.clone(),
                }));
            }
            return;
        }
        let row = BatchPoint {
            time: point.time,
            fields: point.fields,
            tags: point.tags,
        };
        if point.time == group.step.time {
            group.step.rows.push(row);
            return;
        }
        let next = Step {
            name: point.name,
            time: point.time,
            rows: vec![row],
        };
        let step = std::mem::replace(&mut group.step, next);
        let group = &*group;
        if let Some(results) = reduce(&self.config, &step.rows, &mut self.errors) {
            let emitter = Emitter {
                config: &self.config,
                role: self.role,
                point_times: self.point_times,
                group,
            };
            out.extend(emitter.emit(step.name, step.time, results, &step.rows));
        }
    }

    fn push_batch(&mut self, batch: Batch, out: &mut Vec<Message>) {
        let group = self
            .groups
            .entry(batch.group.clone())
            .or_insert_with(|| Group {
                name: batch.name.clone(),
                tags: batch.tags.clone(),
                dimensions: batch.dimensions.clone(),
                key: batch.group.clone(),
                step: Step {
                    name: batch.name.clone(),
                    time: batch.time,
                    rows: Vec::new(),
                },
                transformer: None,
            });
        if let Role::Transformation(transformation) = self.role {
            // A fresh state per batch: nothing carries over from the previous one.
            let mut transformer = None;
            let mut points = Vec::new();
            for row in &batch.points {
                let field = row.fields.get(&self.config.field);
                if let Some((time, value)) = feed(
                    &mut transformer,
                    transformation,
                    row.time,
                    field,
                    &mut self.errors,
                ) {
                    let fields = Fields::from_pairs([(self.config.as_name.as_str().into(), value)]);
                    points.push(BatchPoint {
                        time,
                        fields,
                        tags: group.tags.clone(),
                    });
                }
            }
            out.push(Message::Batch(Batch { points, ..batch }));
            return;
        }
        // With nothing to reduce, count and sum still report 0.
        let results = reduce(&self.config, &batch.points, &mut self.errors).or_else(|| match self
            .config
            .method
        {
            Method::Count => Some(vec![aggregates::count_of_nothing()]),
            Method::Sum => Some(vec![aggregates::sum_of_nothing()]),
            _ => None,
        });
        if let Some(results) = results {
            let emitter = Emitter {
                config: &self.config,
                role: self.role,
                point_times: self.point_times,
                group,
            };
            out.extend(emitter.emit(group.name.clone(), batch.time, results, &batch.points));
        }
    }
}

impl Node for InfluxQlNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        match msg {
            Message::Point(point) => self.push_point(point, out),
            Message::Batch(batch) => self.push_batch(batch, out),
            // A deleted group's pending step is dropped unreduced, as in Kapacitor.
            control @ (Message::DeleteGroup { .. } | Message::Barrier { .. }) => {
                pass_control(control, out, |group| {
                    self.groups.remove(group);
                })
            }
        }
    }

    fn groups(&self) -> usize {
        self.groups.len()
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}

/// Feeds one value to a transformation, creating its state from the first value of an
/// accepted type, and returns what it emits. A value that cannot be used counts as an error,
/// yet an existing state still emits (InfluxQL repeats its last output then).
fn feed(
    slot: &mut Option<Transformer>,
    transformation: Transformation,
    time: Time,
    value: Option<&FieldValue>,
    errors: &mut u64,
) -> Option<(Time, FieldValue)> {
    if slot.is_none() {
        match value {
            Some(v) if transformation.accepts(Kind::of(v)) => {
                *slot = Some(Transformer::new(transformation, Kind::of(v)))
            }
            _ => {
                *errors += 1;
                return None;
            }
        }
    }
    let transformer = slot.as_mut()?;
    if !value.is_some_and(|v| transformer.aggregate(time, v)) {
        *errors += 1;
    }
    transformer.emit()
}

/// Applies the (non-transformation) method to `rows`; `None` when no row had the field with a
/// type the method takes.
fn reduce(config: &InfluxQlConfig, rows: &[BatchPoint], errors: &mut u64) -> Option<Vec<Reduced>> {
    let method = &config.method;
    let read = Column::read(rows, &config.field, |kind| method.accepts(kind));
    *errors += read.dropped;
    let column = read.column?;
    let results = match method {
        Method::Count => vec![aggregates::count(&column)],
        Method::Sum => aggregates::sum(&column).into_iter().collect(),
        Method::Mean => aggregates::mean(&column).into_iter().collect(),
        Method::Median => aggregates::median(&column).into_iter().collect(),
        Method::Mode => aggregates::mode(&column).into_iter().collect(),
        Method::Spread => aggregates::spread(&column).into_iter().collect(),
        Method::Stddev => aggregates::stddev(&column).into_iter().collect(),
        Method::Distinct => aggregates::distinct(&column),
        Method::First => selectors::first(&column).into_iter().collect(),
        Method::Last => selectors::last(&column).into_iter().collect(),
        Method::Min => selectors::min(&column).into_iter().collect(),
        Method::Max => selectors::max(&column).into_iter().collect(),
        Method::Percentile(p) => selectors::percentile(&column, *p).into_iter().collect(),
        Method::Top { n, distinct_by } => {
            selectors::top_or_bottom(&column, End::Top, count_arg(*n), distinct_by, rows)
        }
        Method::Bottom { n, distinct_by } => {
            selectors::top_or_bottom(&column, End::Bottom, count_arg(*n), distinct_by, rows)
        }
        Method::HoltWinters { .. } => {
            let values: Vec<(Time, f64)> = match &column {
                Column::Float(v) => v.iter().map(|s| (s.time, s.value)).collect(),
                Column::Int(v) => v.iter().map(|s| (s.time, s.value as f64)).collect(),
                Column::String(_) | Column::Bool(_) => Vec::new(),
            };
            let model = config.holt_winters()?;
            model
                .run(&values)
                .into_iter()
                .map(|(time, value)| Reduced {
                    time: Some(time),
                    value: FieldValue::Float(value),
                    row: None,
                })
                .collect()
        }
        // Transformations never reduce a whole batch.
        Method::Elapsed { .. }
        | Method::Difference
        | Method::MovingAverage { .. }
        | Method::CumulativeSum => Vec::new(),
    };
    Some(results)
}

/// A negative count is refused when the node is built.
fn count_arg(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// Shapes results into output messages.
struct Emitter<'a> {
    config: &'a InfluxQlConfig,
    role: Role,
    point_times: bool,
    group: &'a Group,
}

impl Emitter<'_> {
    /// The message for `results` of a step or batch named `name` at `time`.
    fn emit(
        &self,
        name: Str,
        time: Time,
        results: Vec<Reduced>,
        rows: &[BatchPoint],
    ) -> Option<Message> {
        match self.role {
            Role::Batch => Some(Message::Batch(self.batch(name, time, results, rows))),
            Role::Aggregate | Role::Selector | Role::Transformation(_) => {
                // A point needs exactly one result (a percentile may have none).
                let [result] = <[Reduced; 1]>::try_from(results).ok()?;
                Some(Message::Point(self.point(name, time, result, rows)))
            }
        }
    }

    fn time_of(&self, result: &Reduced, default: Time) -> Time {
        match result.time {
            Some(t) if self.point_times => t,
            _ => default,
        }
    }

    fn point(&self, name: Str, time: Time, result: Reduced, rows: &[BatchPoint]) -> Point {
        let time = self.time_of(&result, time);
        let selected = result
            .row
            .and_then(|i| rows.get(i))
            .filter(|_| self.role == Role::Selector);
        let (tags, fields) = match selected {
            Some(row) => {
                let mut fields = row.fields.clone();
                if let Some(value) = fields.remove(&self.config.field) {
                    fields.insert(self.config.as_name.clone(), value);
                }
                (row.tags.clone(), fields)
            }
            None => (
                self.group.tags.clone(),
                Fields::from_pairs([(self.config.as_name.as_str().into(), result.value)]),
            ),
        };
        Point {
            database: Default::default(),
            retention_policy: Default::default(),
            name,
            tags,
            fields,
            time,
            dimensions: self.group.dimensions.clone(),
            group: self.group.key.clone(),
        }
    }

    /// A batch of the results; its time is the later of `time` and the latest result time.
    fn batch(&self, name: Str, time: Time, results: Vec<Reduced>, rows: &[BatchPoint]) -> Batch {
        let mut batch_time = time;
        let points = results
            .into_iter()
            .map(|result| {
                let t = self.time_of(&result, time);
                batch_time = batch_time.max(t);
                // A selected point's own tags join the group's (top and bottom).
                let tags = match result.row.and_then(|i| rows.get(i)) {
                    Some(row) if !row.tags.is_empty() => {
                        let mut tags = self.group.tags.clone();
                        for (k, v) in &row.tags {
                            tags.insert(k, v.clone());
                        }
                        tags
                    }
                    _ => self.group.tags.clone(),
                };
                BatchPoint {
                    time: t,
                    fields: Fields::from_pairs([(self.config.as_name.as_str().into(), result.value)]),
                    tags,
                }
            })
            .collect();
        Batch {
            name,
            time: batch_time,
            tags: self.group.tags.clone(),
            dimensions: self.group.dimensions.clone(),
            group: self.group.key.clone(),
            points,
        }
    }
}

#[cfg(test)]
mod tests;
