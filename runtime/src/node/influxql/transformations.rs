//! The InfluxQL transformations: elapsed, difference, movingAverage and cumulativeSum.
//!
//! Unlike aggregates they produce one value per input point, so they are state machines fed
//! point by point: `aggregate` takes the next value, `emit` says what to output now. As in
//! InfluxQL, `emit` is also called after a point that could not be aggregated (missing field,
//! other type), which repeats the previous output for elapsed, movingAverage and cumulativeSum.

use std::collections::VecDeque;

use super::column::Kind;
use crate::point::{FieldValue, Time};

/// Which transformation, with its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Transformation {
    /// Elapsed time between consecutive points, in `unit` nanoseconds (truncated).
    Elapsed {
        unit: i64,
    },
    Difference,
    MovingAverage {
        window: usize,
    },
    CumulativeSum,
}

/// A number as the numeric transformations carry it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Number {
    Float(f64),
    Int(i64),
}

impl Number {
    fn to_field(self) -> FieldValue {
        match self {
            Number::Float(x) => FieldValue::Float(x),
            Number::Int(x) => FieldValue::Int(x),
        }
    }
}

/// A transformation's state for one group (stream) or one batch.
#[derive(Debug, Clone)]
pub(super) struct Transformer {
    kind: Kind,
    state: State,
}

#[derive(Debug, Clone)]
enum State {
    Elapsed {
        unit: i64,
        previous: Option<Time>,
        current: Option<Time>,
    },
    Difference {
        previous: Option<Number>,
        current: Option<(Time, Number)>,
    },
    MovingAverage {
        window: usize,
        values: VecDeque<Number>,
        sum: Number,
        time: Time,
    },
    CumulativeSum {
        total: Option<(Time, Number)>,
    },
}

impl Transformation {
    /// The value types the transformation accepts.
    pub(super) fn accepts(self, kind: Kind) -> bool {
        match self {
            Transformation::Elapsed { .. } => true,
            _ => matches!(kind, Kind::Float | Kind::Int),
        }
    }
}

impl Transformer {
    /// A fresh state for values of `kind`, which the transformation must accept.
    pub(super) fn new(transformation: Transformation, kind: Kind) -> Transformer {
        let zero = if kind == Kind::Int {
            Number::Int(0)
        } else {
            Number::Float(0.0)
        };
        let state = match transformation {
            Transformation::Elapsed { unit } => State::Elapsed {
                unit,
                previous: None,
                current: None,
            },
            Transformation::Difference => State::Difference {
                previous: None,
                current: None,
            },
            Transformation::MovingAverage { window } => State::MovingAverage {
                window,
                values: VecDeque::new(),
                sum: zero,
                time: 0,
            },
            Transformation::CumulativeSum => State::CumulativeSum { total: None },
        };
        Transformer { kind, state }
    }

    /// Takes the next value; `false` (and no change) when it is not of the transformer's type.
    pub(super) fn aggregate(&mut self, time: Time, value: &FieldValue) -> bool {
        if Kind::of(value) != self.kind {
            return false;
        }
        match &mut self.state {
            State::Elapsed {
                previous, current, ..
            } => {
                *previous = *current;
                *current = Some(time);
            }
            State::Difference { previous, current } => {
                let Some(number) = number(value) else {
                    return false;
                };
                // A second value at the same time is ignored.
                if current.is_some_and(|(t, _)| t == time) {
                    return true;
                }
                *previous = current.map(|(_, n)| n);
                *current = Some((time, number));
            }
            State::MovingAverage {
                window,
                values,
                sum,
                time: last,
            } => {
                let Some(number) = number(value) else {
                    return false;
                };
                if values.len() == *window
                    && let Some(oldest) = values.pop_front()
                {
                    *sum = sub(*sum, oldest);
                }
                values.push_back(number);
                *sum = add(*sum, number);
                *last = time;
            }
            State::CumulativeSum { total } => {
                let Some(number) = number(value) else {
                    return false;
                };
                let zero = if self.kind == Kind::Int {
                    Number::Int(0)
                } else {
                    Number::Float(0.0)
                };
                let sum = add(total.map_or(zero, |(_, n)| n), number);
                *total = Some((time, sum));
            }
        }
        true
    }

    /// What to output after the last `aggregate` call, if anything.
    pub(super) fn emit(&mut self) -> Option<(Time, FieldValue)> {
        match &mut self.state {
            State::Elapsed {
                unit,
                previous,
                current,
            } => {
                let (prev, curr) = ((*previous)?, (*current)?);
                // A zero unit is refused when the node is built; checked_div keeps this total.
                let elapsed = curr.wrapping_sub(prev).checked_div(*unit)?;
                Some((curr, FieldValue::Int(elapsed)))
            }
            State::Difference { previous, current } => {
                let prev = previous.take()?;
                let (time, curr) = (*current)?;
                Some((time, sub(curr, prev).to_field()))
            }
            State::MovingAverage {
                window,
                values,
                sum,
                time,
            } => {
                if values.len() != *window || values.is_empty() {
                    return None;
                }
                let sum = match *sum {
                    Number::Float(x) => x,
                    Number::Int(x) => x as f64,
                };
                Some((*time, FieldValue::Float(sum / values.len() as f64)))
            }
            State::CumulativeSum { total } => total.map(|(time, n)| (time, n.to_field())),
        }
    }
}

fn number(value: &FieldValue) -> Option<Number> {
    match value {
        FieldValue::Float(x) => Some(Number::Float(*x)),
        FieldValue::Int(x) => Some(Number::Int(*x)),
        FieldValue::String(_) | FieldValue::Bool(_) => None,
    }
}

/// Integer arithmetic wraps, as Go's does; the kinds of both sides always agree.
fn add(a: Number, b: Number) -> Number {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => Number::Int(x.wrapping_add(y)),
        (Number::Float(x), Number::Float(y)) => Number::Float(x + y),
        (Number::Int(x), Number::Float(y)) | (Number::Float(y), Number::Int(x)) => {
            Number::Float(x as f64 + y)
        }
    }
}

fn sub(a: Number, b: Number) -> Number {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => Number::Int(x.wrapping_sub(y)),
        (Number::Float(x), Number::Float(y)) => Number::Float(x - y),
        (Number::Int(x), Number::Float(y)) => Number::Float(x as f64 - y),
        (Number::Float(x), Number::Int(y)) => Number::Float(x - y as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds (time, value) pairs, `None` standing for a point that lacks the field, and
    /// collects what is emitted after each.
    fn run(
        t: Transformation,
        kind: Kind,
        input: &[(Time, Option<FieldValue>)],
    ) -> Vec<(Time, FieldValue)> {
        let mut tr = Transformer::new(t, kind);
        let mut out = Vec::new();
        for (time, value) in input {
            if let Some(v) = value {
                tr.aggregate(*time, v);
            }
            out.extend(tr.emit());
        }
        out
    }

    fn f(x: f64) -> Option<FieldValue> {
        Some(FieldValue::Float(x))
    }

    fn i(x: i64) -> Option<FieldValue> {
        Some(FieldValue::Int(x))
    }

    #[test]
    fn elapsed_truncates_to_the_unit_and_repeats_after_a_missing_field() {
        let got = run(
            Transformation::Elapsed { unit: 500 },
            Kind::Float,
            &[(0, f(1.0)), (1200, f(2.0)), (1200, f(0.0)), (1300, None)],
        );
        assert_eq!(
            got,
            vec![
                (1200, FieldValue::Int(2)),
                (1200, FieldValue::Int(0)),
                (1200, FieldValue::Int(0))
            ]
        );
    }

    #[test]
    fn difference_skips_same_time_values_and_never_repeats() {
        let got = run(
            Transformation::Difference,
            Kind::Int,
            &[(1, i(5)), (2, i(8)), (2, i(100)), (3, None), (4, i(6))],
        );
        assert_eq!(got, vec![(2, FieldValue::Int(3)), (4, FieldValue::Int(-2))]);
    }

    #[test]
    fn moving_average_waits_for_a_full_window() {
        let got = run(
            Transformation::MovingAverage { window: 3 },
            Kind::Int,
            &[(1, i(1)), (2, i(2)), (3, i(6)), (4, i(10))],
        );
        assert_eq!(
            got,
            vec![(3, FieldValue::Float(3.0)), (4, FieldValue::Float(6.0))]
        );
    }

    #[test]
    fn cumulative_sum_keeps_the_type_and_repeats_after_a_missing_field() {
        let got = run(
            Transformation::CumulativeSum,
            Kind::Float,
            &[(1, f(1.5)), (2, f(2.0)), (3, None)],
        );
        assert_eq!(
            got,
            vec![
                (1, FieldValue::Float(1.5)),
                (2, FieldValue::Float(3.5)),
                (2, FieldValue::Float(3.5))
            ]
        );
        let ints = run(
            Transformation::CumulativeSum,
            Kind::Int,
            &[(1, i(i64::MAX)), (2, i(1))],
        );
        assert_eq!(
            ints,
            vec![
                (1, FieldValue::Int(i64::MAX)),
                (2, FieldValue::Int(i64::MIN))
            ]
        );
    }

    #[test]
    fn other_types_are_refused() {
        let mut tr = Transformer::new(Transformation::Difference, Kind::Float);
        assert!(!tr.aggregate(1, &FieldValue::Int(3)));
        assert_eq!(tr.emit(), None);
    }
}
