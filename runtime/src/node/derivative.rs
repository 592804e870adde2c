//! The derivative node: the rate of change of a field between consecutive points of a group.
//!
//! Kapacitor's `derivative.go`: `(current - previous) / (elapsed / unit)`, written into the
//! `.as()` field (by default the input field itself) of the current point, which keeps
//! everything else. A group's first point only sets the previous value; so does a point at the
//! same time as the previous one (an error) and, with `.nonNegative()`, a decrease. A point
//! whose field is missing or not a number is an error and is forgotten. Batches are handled
//! point by point with a fresh start in every batch.


use crate::node::{Node, pass_control};
use crate::point::{Batch, FieldValue, Fields, GroupMap, Message, Time};

const SECOND: i64 = 1_000_000_000;

/// The properties of `|derivative(field)`.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivativeConfig {
    pub field: String,
    pub as_name: String,
    /// The time unit of the rate, in nanoseconds.
    pub unit: i64,
    pub non_negative: bool,
}

impl DerivativeConfig {
    /// Kapacitor's defaults: per second, written over the input field.
    pub fn new(field: impl Into<String>) -> Self {
        let field = field.into();
        DerivativeConfig {
            as_name: field.clone(),
            field,
            unit: SECOND,
            non_negative: false,
        }
    }
}

/// `|derivative()`, on either edge.
pub struct DerivativeNode {
    config: DerivativeConfig,
    /// Each stream group's previous (time, value).
    previous: GroupMap<(Time, f64)>,
    errors: u64,
}

/// What one point leads to.
enum Step {
    /// Nothing: the point is forgotten (its field is unusable).
    Skip,
    /// The point becomes the previous one without output.
    Remember,
    /// The point becomes the previous one and leaves with this rate.
    Emit(f64),
}

impl DerivativeNode {
    pub fn new(config: DerivativeConfig) -> Self {
        DerivativeNode {
            config,
            previous: GroupMap::default(),
            errors: 0,
        }
    }

    fn step(&mut self, previous: &mut Option<(Time, f64)>, time: Time, fields: &Fields) -> Step {
        let current = match fields.get(&self.config.field) {
            Some(FieldValue::Float(x)) => *x,
            Some(FieldValue::Int(x)) => *x as f64,
            _ => {
                self.errors += 1;
                return Step::Skip;
            }
        };
        let Some((prev_time, prev_value)) = previous.replace((time, current)) else {
            return Step::Remember;
        };
        let elapsed = time.wrapping_sub(prev_time) as f64;
        if elapsed == 0.0 {
            self.errors += 1;
            return Step::Remember;
        }
        let diff = current - prev_value;
        if self.config.non_negative && diff < 0.0 {
            return Step::Remember;
        }
        Step::Emit(diff / (elapsed / self.config.unit as f64))
    }

    fn with_rate(&self, fields: &mut Fields, rate: f64) {
        fields.insert(self.config.as_name.clone(), FieldValue::Float(rate));
    }

    fn push_batch(&mut self, mut batch: Batch, out: &mut Vec<Message>) {
        let mut previous = None;
        let mut points = Vec::with_capacity(batch.points.len());
        for mut point in std::mem::take(&mut batch.points) {
            if let Step::Emit(rate) = self.step(&mut previous, point.time, &point.fields) {
                self.with_rate(&mut point.fields, rate);
                points.push(point);
            }
        }
        out.push(Message::Batch(Batch { points, ..batch }));
    }
}

impl Node for DerivativeNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        match msg {
            Message::Point(mut point) => {
                let mut previous = self.previous.get(&point.group).copied();
                let step = self.step(&mut previous, point.time, &point.fields);
                if let Some(remembered) = previous {
                    self.previous.insert(point.group.clone(), remembered);
                }
                if let Step::Emit(rate) = step {
                    self.with_rate(&mut point.fields, rate);
                    out.push(Message::Point(point));
                }
            }
            Message::Batch(batch) => self.push_batch(batch, out),
            control @ (Message::DeleteGroup { .. } | Message::Barrier { .. }) => {
                pass_control(control, out, |group| {
                    self.previous.remove(group);
                })
            }
        }
    }

    fn groups(&self) -> usize {
        self.previous.len()
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{BatchPoint, Dimensions, GroupKey, Point, Tags};

    fn point(group: &str, secs: i64, value: Option<FieldValue>) -> Message {
        let mut fields = Fields::from_iter([("other".to_string(), FieldValue::Int(7))]);
        if let Some(v) = value {
            fields.insert("x", v);
        }
        Message::Point(Point {
            database: "db".into(),
            retention_policy: "rp".into(),
            name: "m".into(),
            tags: Tags::new(),
            fields,
            time: secs * SECOND,
            dimensions: Dimensions::default(),
            group: GroupKey(group.into()),
        })
    }

    fn rates(node: &mut DerivativeNode, input: Vec<Message>) -> Vec<(i64, FieldValue)> {
        let mut out = Vec::new();
        for m in input {
            node.push(m, &mut out);
        }
        out.into_iter()
            .filter_map(|m| match m {
                Message::Point(p) => {
                    let field = p.fields.get("rate").or(p.fields.get("x")).cloned()?;
                    Some((p.time / SECOND, field))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn rate_per_unit_between_consecutive_points_of_a_group() {
        let mut node = DerivativeNode::new(DerivativeConfig::new("x"));
        let got = rates(
            &mut node,
            vec![
                point("a", 0, Some(FieldValue::Float(1.0))),
                point("b", 0, Some(FieldValue::Int(100))),
                point("a", 2, Some(FieldValue::Float(5.0))),
                point("a", 3, None),
                point("b", 4, Some(FieldValue::Int(90))),
                point("a", 4, Some(FieldValue::Float(6.0))),
            ],
        );
        let expected = vec![
            (2, FieldValue::Float(2.0)),
            (4, FieldValue::Float(-2.5)),
            (4, FieldValue::Float(0.5)),
        ];
        assert_eq!(got, expected);
        assert_eq!(node.errors(), 1);
    }

    #[test]
    fn non_negative_unit_and_zero_elapsed() {
        let config = DerivativeConfig {
            as_name: "rate".into(),
            unit: 60 * SECOND,
            non_negative: true,
            ..DerivativeConfig::new("x")
        };
        let mut node = DerivativeNode::new(config);
        let got = rates(
            &mut node,
            vec![
                point("a", 0, Some(FieldValue::Int(10))),
                point("a", 0, Some(FieldValue::Int(20))),
                point("a", 30, Some(FieldValue::Int(5))),
                point("a", 60, Some(FieldValue::Int(25))),
            ],
        );
        // The same-time point and the decrease are remembered, not emitted.
        assert_eq!(got, vec![(60, FieldValue::Float(40.0))]);
        assert_eq!(node.errors(), 1);
    }

    #[test]
    fn batches_restart_and_keep_their_shape() {
        let mut node = DerivativeNode::new(DerivativeConfig::new("x"));
        let bp = |secs: i64, v: f64| BatchPoint {
            time: secs * SECOND,
            fields: Fields::from_iter([("x".to_string(), FieldValue::Float(v))]),
            tags: Tags::new(),
        };
        let batch = |points| {
            Message::Batch(Batch {
                name: "m".into(),
                time: 100 * SECOND,
                tags: Tags::new(),
                dimensions: Dimensions::default(),
                group: GroupKey::default(),
                points,
            })
        };
        let mut out = Vec::new();
        node.push(batch(vec![bp(0, 1.0), bp(1, 3.0)]), &mut out);
        node.push(batch(vec![bp(2, 10.0)]), &mut out);
        let sizes: Vec<usize> = out
            .iter()
            .map(|m| {
                if let Message::Batch(b) = m {
                    b.points.len()
                } else {
                    99
                }
            })
            .collect();
        assert_eq!(sizes, vec![1, 0]);
        let Some(Message::Batch(first)) = out.first() else {
            panic!()
        };
        assert_eq!(
            first.points[0].fields.get("x"),
            Some(&FieldValue::Float(2.0))
        );
    }
}
