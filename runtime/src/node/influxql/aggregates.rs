//! The InfluxQL aggregates: count, sum, mean, median, mode, spread, stddev and distinct.
//!
//! Each reduces one column to values (and, where InfluxQL sets one, a time); which node edge
//! they leave on is the node's business. Arithmetic follows Go's: integer sums wrap, float
//! min/max propagate NaN, stddev is the sample deviation and is 0 for a single value.

use std::collections::HashMap;

use super::Reduced;
use super::column::{Column, Sample, Value};
use super::go_order::go_sort_by;
use crate::point::{FieldValue, Time};

/// The time InfluxQL gives `sum` results and the empty results of `count` and `sum`: their
/// reducers start from a point at time 0 (the epoch), which `.usePointTimes()` exposes.
const EPOCH: Option<Time> = Some(0);

pub(super) fn count(column: &Column) -> Reduced {
    let n = match column {
        Column::Float(v) => v.len(),
        Column::Int(v) => v.len(),
        Column::String(v) => v.len(),
        Column::Bool(v) => v.len(),
    };
    Reduced {
        time: None,
        value: FieldValue::Int(i64::try_from(n).unwrap_or(i64::MAX)),
        row: None,
    }
}

/// `count` of an empty batch.
pub(super) fn count_of_nothing() -> Reduced {
    Reduced {
        time: EPOCH,
        value: FieldValue::Int(0),
        row: None,
    }
}

/// `sum` of an empty batch: InfluxQL assumes a float field.
pub(super) fn sum_of_nothing() -> Reduced {
    Reduced {
        time: EPOCH,
        value: FieldValue::Float(0.0),
        row: None,
    }
}

pub(super) fn sum(column: &Column) -> Option<Reduced> {
    let value = match column {
        Column::Float(v) => FieldValue::Float(v.iter().fold(0.0, |acc, s| acc + s.value)),
        Column::Int(v) => FieldValue::Int(v.iter().fold(0i64, |acc, s| acc.wrapping_add(s.value))),
        Column::String(_) | Column::Bool(_) => return None,
    };
    Some(Reduced {
        time: EPOCH,
        value,
        row: None,
    })
}

pub(super) fn mean(column: &Column) -> Option<Reduced> {
    let mean = match column {
        Column::Float(v) => v.iter().fold(0.0, |acc, s| acc + s.value) / v.len() as f64,
        Column::Int(v) => {
            v.iter().fold(0i64, |acc, s| acc.wrapping_add(s.value)) as f64 / v.len() as f64
        }
        Column::String(_) | Column::Bool(_) => return None,
    };
    Some(float_result(mean))
}

pub(super) fn median(column: &Column) -> Option<Reduced> {
    match column {
        // A single float is returned as it is, time included.
        Column::Float(v) if v.len() == 1 => v.first().map(|s| Reduced {
            time: Some(s.time),
            ..float_result(s.value)
        }),
        Column::Float(v) => {
            let sorted = sorted_by_value(v);
            middle_pair(&sorted).map(|(lo, hi)| float_result(lo + (hi - lo) / 2.0))
        }
        Column::Int(v) => {
            let sorted = sorted_by_value(v);
            middle_pair(&sorted)
                .map(|(lo, hi)| float_result(lo as f64 + hi.wrapping_sub(lo) as f64 / 2.0))
        }
        Column::String(_) | Column::Bool(_) => None,
    }
}

/// The middle value twice for an odd count, the two middle values for an even one.
fn middle_pair<V: Value>(sorted: &[Sample<V>]) -> Option<(V, V)> {
    let n = sorted.len();
    let hi = sorted.get(n / 2)?.value;
    if n.is_multiple_of(2) {
        Some((sorted.get(n / 2 - 1)?.value, hi))
    } else {
        Some((hi, hi))
    }
}

pub(super) fn mode(column: &Column) -> Option<Reduced> {
    match column {
        Column::Float(v) => most_frequent(v),
        Column::Int(v) => most_frequent(v),
        Column::String(_) | Column::Bool(_) => None,
    }
}

/// InfluxQL's mode: scan the values sorted (Go's way) in runs of equal values; a run that ties
/// the best count wins when its first point is not later than the point where the best was
/// last updated. A single value is returned as it is, time included.
fn most_frequent<V: Value>(samples: &[Sample<V>]) -> Option<Reduced> {
    if let [only] = samples {
        return Some(Reduced {
            time: Some(only.time),
            value: only.value.to_field(),
            row: None,
        });
    }
    let sorted = sorted_by_value(samples);
    let first = sorted.first()?;
    let (mut most_count, mut most_value, mut most_time) = (0usize, first.value, first.time);
    let (mut run_count, mut run_value, mut run_time) = (0usize, first.value, first.time);
    for s in &sorted {
        if s.value != run_value {
            (run_count, run_value, run_time) = (1, s.value, s.time);
            continue;
        }
        run_count += 1;
        if most_count > run_count || (most_count == run_count && run_time > most_time) {
            continue;
        }
        (most_count, most_value, most_time) = (run_count, s.value, s.time);
    }
    Some(Reduced {
        time: None,
        value: most_value.to_field(),
        row: None,
    })
}

pub(super) fn spread(column: &Column) -> Option<Reduced> {
    let value = match column {
        Column::Float(v) => {
            let first = v.first()?.value;
            let (min, max) = v.iter().skip(1).fold((first, first), |(lo, hi), s| {
                (go_min(lo, s.value), go_max(hi, s.value))
            });
            FieldValue::Float(max - min)
        }
        Column::Int(v) => {
            let min = v.iter().map(|s| s.value).min()?;
            let max = v.iter().map(|s| s.value).max()?;
            FieldValue::Int(max.wrapping_sub(min))
        }
        Column::String(_) | Column::Bool(_) => return None,
    };
    Some(Reduced {
        time: None,
        value,
        row: None,
    })
}

pub(super) fn stddev(column: &Column) -> Option<Reduced> {
    let values: Vec<f64> = match column {
        // NaN values are skipped, though they still count towards "at least two values".
        Column::Float(v) if v.len() < 2 => return Some(float_result(0.0)),
        Column::Float(v) => v.iter().map(|s| s.value).filter(|x| !x.is_nan()).collect(),
        Column::Int(v) if v.len() < 2 => return Some(float_result(0.0)),
        Column::Int(v) => v.iter().map(|s| s.value as f64).collect(),
        Column::String(_) | Column::Bool(_) => return None,
    };
    // Running mean, as InfluxQL computes it (the rounding differs from sum / n).
    let mut mean = 0.0;
    for (i, x) in values.iter().enumerate() {
        mean += (x - mean) / (i + 1) as f64;
    }
    let variance: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
    Some(float_result(
        (variance / (values.len() as f64 - 1.0)).sqrt(),
    ))
}

/// Each distinct value once, at the time it was first seen, ordered by that time (then value).
pub(super) fn distinct(column: &Column) -> Vec<Reduced> {
    match column {
        // Go map keys: 0 and -0 are one key, every NaN is a key of its own.
        Column::Float(v) => first_seen(v, |x| {
            (!x.is_nan()).then_some(if *x == 0.0 { 0 } else { x.to_bits() })
        }),
        Column::Int(v) => first_seen(v, |x| Some(*x)),
        Column::String(v) => first_seen(v, |x| Some(*x)),
        Column::Bool(v) => {
            let mut found = first_seen_samples(v, |x| Some(*x));
            // Go orders equal times false first (its comparison for booleans is not a strict order).
            go_sort_by(&mut found, |a, b| {
                if a.time != b.time {
                    a.time < b.time
                } else {
                    !a.value
                }
            });
            to_reduced(found)
        }
    }
}

fn first_seen<V: Value, K: std::hash::Hash + Eq>(
    samples: &[Sample<V>],
    key: impl Fn(&V) -> Option<K>,
) -> Vec<Reduced> {
    let mut found = first_seen_samples(samples, key);
    go_sort_by(&mut found, |a, b| {
        if a.time != b.time {
            a.time < b.time
        } else {
            a.value < b.value
        }
    });
    to_reduced(found)
}

fn first_seen_samples<V: Value, K: std::hash::Hash + Eq>(
    samples: &[Sample<V>],
    key: impl Fn(&V) -> Option<K>,
) -> Vec<Sample<V>> {
    let mut seen = HashMap::new();
    let mut found = Vec::new();
    for s in samples {
        let new = match key(&s.value) {
            Some(k) => seen.insert(k, ()).is_none(),
            None => true,
        };
        if new {
            found.push(*s);
        }
    }
    found
}

fn to_reduced<V: Value>(samples: Vec<Sample<V>>) -> Vec<Reduced> {
    samples
        .into_iter()
        .map(|s| Reduced {
            time: Some(s.time),
            value: s.value.to_field(),
            row: None,
        })
        .collect()
}

fn float_result(value: f64) -> Reduced {
    Reduced {
        time: None,
        value: FieldValue::Float(value),
        row: None,
    }
}

fn sorted_by_value<V: Value>(samples: &[Sample<V>]) -> Vec<Sample<V>> {
    let mut sorted = samples.to_vec();
    go_sort_by(&mut sorted, |a, b| a.value < b.value);
    sorted
}

/// Go's `math.Min`: -Inf wins, then NaN, and -0 is below +0.
fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() { x } else { y }
    } else if x < y {
        x
    } else {
        y
    }
}

/// Go's `math.Max`: +Inf wins, then NaN, and +0 is above -0.
fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() { y } else { x }
    } else if x > y {
        x
    } else {
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(values: &[f64]) -> Column<'static> {
        Column::Float(
            values
                .iter()
                .enumerate()
                .map(|(i, &value)| Sample {
                    time: i as i64 * 10,
                    value,
                    row: i,
                })
                .collect(),
        )
    }

    fn ints(values: &[i64]) -> Column<'static> {
        Column::Int(
            values
                .iter()
                .enumerate()
                .map(|(i, &value)| Sample {
                    time: i as i64 * 10,
                    value,
                    row: i,
                })
                .collect(),
        )
    }

    fn value(r: Option<Reduced>) -> FieldValue {
        r.expect("a result").value
    }

    #[test]
    fn count_and_empty_results() {
        assert_eq!(count(&floats(&[1.0, 2.0, 3.0])).value, FieldValue::Int(3));
        assert_eq!(
            count_of_nothing(),
            Reduced {
                time: Some(0),
                value: FieldValue::Int(0),
                row: None
            }
        );
        assert_eq!(sum_of_nothing().value, FieldValue::Float(0.0));
    }

    #[test]
    fn sum_keeps_the_type_and_wraps_ints() {
        assert_eq!(value(sum(&floats(&[1.5, 2.25]))), FieldValue::Float(3.75));
        assert_eq!(
            value(sum(&ints(&[i64::MAX, 2]))),
            FieldValue::Int(i64::MIN + 1)
        );
        assert_eq!(sum(&Column::String(vec![])), None);
    }

    #[test]
    fn mean_is_always_float() {
        assert_eq!(value(mean(&ints(&[1, 2]))), FieldValue::Float(1.5));
        assert_eq!(
            value(mean(&floats(&[1.0, 2.0, 4.5]))),
            FieldValue::Float(2.5)
        );
    }

    #[test]
    fn median_averages_the_middle_pair() {
        assert_eq!(value(median(&ints(&[7, 1, 4, 10]))), FieldValue::Float(5.5));
        assert_eq!(
            value(median(&floats(&[3.0, 1.0, 2.0]))),
            FieldValue::Float(2.0)
        );
        // One float keeps its own time; one int does not.
        assert_eq!(median(&floats(&[3.0])).map(|r| r.time), Some(Some(0)));
        assert_eq!(median(&ints(&[3])).map(|r| r.time), Some(None));
    }

    #[test]
    fn mode_breaks_ties_like_influxql() {
        assert_eq!(value(mode(&ints(&[3, 3, 5, 5]))), FieldValue::Int(3));
        // The run of 5s starts (t=10) before the 3s' best was last updated (t=30): 5 wins.
        assert_eq!(value(mode(&ints(&[3, 5, 5, 3, 9]))), FieldValue::Int(5));
        assert_eq!(value(mode(&ints(&[1, 2, 2, 3, 3, 3]))), FieldValue::Int(3));
        assert_eq!(
            value(mode(&floats(&[2.5, 2.5, 1.0]))),
            FieldValue::Float(2.5)
        );
    }

    #[test]
    fn spread_and_stddev() {
        assert_eq!(value(spread(&ints(&[4, -3, 10]))), FieldValue::Int(13));
        assert_eq!(
            value(spread(&floats(&[1.0, f64::NAN]))).to_string_lossy(),
            "NaN"
        );
        assert_eq!(value(stddev(&floats(&[2.0]))), FieldValue::Float(0.0));
        // Sample deviation of 2, 4, 4, 4, 5, 5, 7, 9: sqrt(32 / 7).
        let FieldValue::Float(sd) = value(stddev(&ints(&[2, 4, 4, 4, 5, 5, 7, 9]))) else {
            panic!()
        };
        assert!((sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn distinct_keeps_first_seen_order_and_times() {
        let col = Column::String(
            ["b", "a", "b", "c", "a"]
                .iter()
                .enumerate()
                .map(|(i, &value)| Sample {
                    time: i as i64,
                    value,
                    row: i,
                })
                .collect(),
        );
        let got: Vec<_> = distinct(&col)
            .into_iter()
            .map(|r| (r.time, r.value))
            .collect();
        let expected = vec![
            (Some(0), FieldValue::String("b".into())),
            (Some(1), FieldValue::String("a".into())),
            (Some(3), FieldValue::String("c".into())),
        ];
        assert_eq!(got, expected);
        assert_eq!(distinct(&floats(&[0.0, -0.0, f64::NAN, f64::NAN])).len(), 3);
    }

    trait Lossy {
        fn to_string_lossy(&self) -> String;
    }
    impl Lossy for FieldValue {
        fn to_string_lossy(&self) -> String {
            match self {
                FieldValue::Float(x) => x.to_string(),
                other => format!("{other:?}"),
            }
        }
    }
}
