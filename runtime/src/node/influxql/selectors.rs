//! The InfluxQL selectors: first, last, min, max, percentile, top and bottom.
//!
//! A selector picks rows; its result remembers which one (`Reduced::row`) so the node can emit
//! that point's other fields and tags. Ties are broken exactly as InfluxQL does, since they
//! decide which point's tags and fields leave the node.

use std::collections::HashMap;

use super::Reduced;
use super::column::{Column, Sample, Value};
use super::go_order::{go_heap_pop_n, go_select_by};
use crate::point::{BatchPoint, FieldValue};

/// The earliest value; among equal times the larger one (for booleans, `false`).
pub(super) fn first(column: &Column) -> Option<Reduced> {
    fn pick<V: Value>(samples: &[Sample<V>]) -> Option<Reduced> {
        select(samples, |c, p| {
            c.time < p.time || (c.time == p.time && c.value.wins_first_tie(p.value))
        })
    }
    dispatch_any(column, pick, pick, pick, pick)
}

/// The latest value; among equal times the larger one (for booleans, `true`).
pub(super) fn last(column: &Column) -> Option<Reduced> {
    fn pick<V: Value>(samples: &[Sample<V>]) -> Option<Reduced> {
        select(samples, |c, p| {
            c.time > p.time || (c.time == p.time && c.value > p.value)
        })
    }
    dispatch_any(column, pick, pick, pick, pick)
}

/// The smallest number; among equal values the earliest.
pub(super) fn min(column: &Column) -> Option<Reduced> {
    fn pick<V: Value>(samples: &[Sample<V>]) -> Option<Reduced> {
        select(samples, |c, p| {
            c.value < p.value || (c.value == p.value && c.time < p.time)
        })
    }
    dispatch_numbers(column, pick, pick)
}

/// The largest number; among equal values the earliest.
pub(super) fn max(column: &Column) -> Option<Reduced> {
    fn pick<V: Value>(samples: &[Sample<V>]) -> Option<Reduced> {
        select(samples, |c, p| {
            c.value > p.value || (c.value == p.value && c.time < p.time)
        })
    }
    dispatch_numbers(column, pick, pick)
}

/// Keeps the running pick, replacing it whenever `replaces(candidate, pick)`.
fn select<V: Value>(
    samples: &[Sample<V>],
    replaces: impl Fn(&Sample<V>, &Sample<V>) -> bool,
) -> Option<Reduced> {
    let mut samples = samples.iter();
    let mut pick = samples.next()?;
    for s in samples {
        if replaces(s, pick) {
            pick = s;
        }
    }
    Some(selected(pick))
}

/// Nearest rank, no interpolation: the value at index `floor(n * p / 100 + 0.5) - 1` of the
/// values sorted Go's way; nothing when that index is outside the values.
pub(super) fn percentile(column: &Column, p: f64) -> Option<Reduced> {
    fn rank<V: Value>(samples: &[Sample<V>], p: f64) -> Option<Sample<V>> {
        let n = samples.len();
        // `as` saturates (and maps NaN to 0), so absurd percentiles land outside the range.
        let index = usize::try_from((n as f64 * p / 100.0 + 0.5).floor() as i64 - 1).ok()?;
        let mut ranked = samples.to_vec();
        go_select_by(&mut ranked, index, |a, b| a.value < b.value);
        ranked.get(index).copied()
    }
    match column {
        Column::Float(v) => rank(v, p).map(|s| selected(&s)),
        // InfluxQL drops the time of an integer percentile: the batch time is used even with
        // `.usePointTimes()`.
        Column::Int(v) => rank(v, p).map(|s| Reduced {
            time: None,
            ..selected(&s)
        }),
        Column::String(_) | Column::Bool(_) => None,
    }
}

/// Which end `top_or_bottom` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    Top,
    Bottom,
}

/// The `n` largest (top) or smallest (bottom) values, earliest first among equals, returned
/// in time order. With `distinct_by` names (fields or tags), only the best point of each
/// combination of their values competes.
pub(super) fn top_or_bottom(
    column: &Column,
    end: End,
    n: usize,
    distinct_by: &[String],
    rows: &[BatchPoint],
) -> Vec<Reduced> {
    fn pick<V: Value>(
        samples: &[Sample<V>],
        end: End,
        n: usize,
        distinct_by: &[String],
        rows: &[BatchPoint],
    ) -> Vec<Reduced> {
        let better = |a: &Sample<V>, b: &Sample<V>| match end {
            End::Top => a.value > b.value,
            End::Bottom => a.value < b.value,
        };
        let candidates = if distinct_by.is_empty() {
            samples.to_vec()
        } else {
            best_per_key(
                samples,
                |s| distinct_key(rows.get(s.row), distinct_by),
                |p, cur| better(p, cur) || (p.value == cur.value && p.time < cur.time),
            )
        };
        let mut picked = go_heap_pop_n(candidates, n, |a, b| {
            if a.value != b.value {
                better(a, b)
            } else {
                a.time < b.time
            }
        });
        picked.sort_by_key(|s| s.time);
        picked.iter().map(selected).collect()
    }
    match column {
        Column::Float(v) => pick(v, end, n, distinct_by, rows),
        Column::Int(v) => pick(v, end, n, distinct_by, rows),
        Column::String(_) | Column::Bool(_) => Vec::new(),
    }
}

/// For each key, the sample that `replaces` prefers, in order of each key's first appearance.
fn best_per_key<V: Value>(
    samples: &[Sample<V>],
    key: impl Fn(&Sample<V>) -> String,
    replaces: impl Fn(&Sample<V>, &Sample<V>) -> bool,
) -> Vec<Sample<V>> {
    let mut slots: HashMap<String, usize> = HashMap::new();
    let mut best: Vec<Sample<V>> = Vec::new();
    for s in samples {
        match slots.get(&key(s)).and_then(|&i| best.get_mut(i)) {
            Some(current) => {
                if replaces(s, current) {
                    *current = *s;
                }
            }
            None => {
                slots.insert(key(s), best.len());
                best.push(*s);
            }
        }
    }
    best
}

/// The combination of a row's values for `names` as InfluxQL keys it: each name's field if
/// present, else its tag, else empty; strings as they are and other values tagged with their
/// type (Go's `%s` of a non-string), joined by commas.
fn distinct_key(row: Option<&BatchPoint>, names: &[String]) -> String {
    let mut key = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            key.push(',');
        }
        let Some(row) = row else { continue };
        match row.fields.get(name) {
            Some(FieldValue::String(s)) => key.push_str(s),
            Some(FieldValue::Float(x)) => key.push_str(&format!("%!s(float64={x})")),
            Some(FieldValue::Int(x)) => key.push_str(&format!("%!s(int64={x})")),
            Some(FieldValue::Bool(x)) => key.push_str(&format!("%!s(bool={x})")),
            None => key.push_str(row.tags.get(name).map_or("", crate::point::Str::as_str)),
        }
    }
    key
}

fn selected<V: Value>(s: &Sample<V>) -> Reduced {
    Reduced {
        time: Some(s.time),
        value: s.value.to_field(),
        row: Some(s.row),
    }
}

type Pick<V> = fn(&[Sample<V>]) -> Option<Reduced>;

fn dispatch_any<'a>(
    column: &Column<'a>,
    float: Pick<f64>,
    int: Pick<i64>,
    string: Pick<&'a str>,
    boolean: Pick<bool>,
) -> Option<Reduced> {
    match column {
        Column::Float(v) => float(v),
        Column::Int(v) => int(v),
        Column::String(v) => string(v),
        Column::Bool(v) => boolean(v),
    }
}

fn dispatch_numbers(column: &Column, float: Pick<f64>, int: Pick<i64>) -> Option<Reduced> {
    match column {
        Column::Float(v) => float(v),
        Column::Int(v) => int(v),
        Column::String(_) | Column::Bool(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{Fields, Tags};

    /// Samples at the given (time, value) pairs, rows numbered in order.
    fn floats(pairs: &[(i64, f64)]) -> Column<'static> {
        Column::Float(
            pairs
                .iter()
                .enumerate()
                .map(|(row, &(time, value))| Sample { time, value, row })
                .collect(),
        )
    }

    fn ints(pairs: &[(i64, i64)]) -> Column<'static> {
        Column::Int(
            pairs
                .iter()
                .enumerate()
                .map(|(row, &(time, value))| Sample { time, value, row })
                .collect(),
        )
    }

    fn rows_of(r: Option<Reduced>) -> Option<usize> {
        r.and_then(|r| r.row)
    }

    #[test]
    fn first_and_last_break_time_ties_by_value() {
        let col = floats(&[(5, 1.0), (3, 2.0), (3, 7.0), (9, 4.0), (9, 8.0), (9, 6.0)]);
        assert_eq!(rows_of(first(&col)), Some(2));
        assert_eq!(rows_of(last(&col)), Some(4));
        let bools = Column::Bool(vec![
            Sample {
                time: 1,
                value: true,
                row: 0,
            },
            Sample {
                time: 1,
                value: false,
                row: 1,
            },
            Sample {
                time: 2,
                value: false,
                row: 2,
            },
            Sample {
                time: 2,
                value: true,
                row: 3,
            },
        ]);
        assert_eq!(rows_of(first(&bools)), Some(1));
        assert_eq!(rows_of(last(&bools)), Some(3));
    }

    #[test]
    fn min_and_max_prefer_the_earliest_of_equal_values() {
        let col = ints(&[(4, 1), (2, 1), (6, 9), (1, 9), (3, 5)]);
        assert_eq!(rows_of(min(&col)), Some(1));
        assert_eq!(rows_of(max(&col)), Some(3));
        assert_eq!(
            min(&col).map(|r| (r.time, r.value)),
            Some((Some(2), FieldValue::Int(1)))
        );
    }

    #[test]
    fn percentile_uses_nearest_rank() {
        let values: Vec<(i64, f64)> = (1..=10).map(|i| (i, (11 - i) as f64)).collect();
        let col = floats(&values);
        let pick = |p| percentile(&col, p).map(|r| r.value);
        assert_eq!(pick(50.0), Some(FieldValue::Float(5.0)));
        assert_eq!(pick(100.0), Some(FieldValue::Float(10.0)));
        assert_eq!(pick(95.0), Some(FieldValue::Float(10.0)));
        assert_eq!(pick(4.0), None);
        assert_eq!(pick(5.0), Some(FieldValue::Float(1.0)));
        assert_eq!(pick(0.0), None);
        assert_eq!(pick(f64::NAN), None);
        // A float percentile keeps its point's time; an integer one does not.
        assert_eq!(percentile(&col, 50.0).and_then(|r| r.time), Some(6));
        assert_eq!(
            percentile(&ints(&[(1, 3), (2, 4)]), 50.0).map(|r| r.time),
            Some(None)
        );
    }

    #[test]
    fn top_and_bottom_come_out_in_time_order() {
        let col = floats(&[(1, 5.0), (2, 9.0), (3, 7.0), (4, 9.0), (5, 1.0)]);
        let values = |r: Vec<Reduced>| r.into_iter().map(|r| (r.time, r.value)).collect::<Vec<_>>();
        assert_eq!(
            values(top_or_bottom(&col, End::Top, 3, &[], &[])),
            vec![
                (Some(2), FieldValue::Float(9.0)),
                (Some(3), FieldValue::Float(7.0)),
                (Some(4), FieldValue::Float(9.0))
            ]
        );
        assert_eq!(
            values(top_or_bottom(&col, End::Bottom, 2, &[], &[])),
            vec![
                (Some(1), FieldValue::Float(5.0)),
                (Some(5), FieldValue::Float(1.0))
            ]
        );
        assert_eq!(top_or_bottom(&col, End::Top, 10, &[], &[]).len(), 5);
    }

    #[test]
    fn top_with_names_keeps_one_point_per_combination() {
        let row = |host: &str| BatchPoint {
            time: 0,
            fields: Fields::new(),
            tags: Tags::from_iter([("host", host)]),
        };
        let rows = [row("a"), row("b"), row("a"), row("b")];
        let col = floats(&[(1, 5.0), (2, 3.0), (3, 8.0), (4, 1.0)]);
        let got: Vec<_> = top_or_bottom(&col, End::Top, 3, &["host".into()], &rows)
            .into_iter()
            .map(|r| r.row)
            .collect();
        assert_eq!(got, vec![Some(1), Some(2)]);
    }
}
