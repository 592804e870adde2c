//! A field read across the rows of a window or a time step, as one typed column.
//!
//! InfluxQL reducers are typed: Kapacitor picks one from the type of the field in the first
//! row that has it (and that the function accepts), then drops rows whose value has another
//! type or lacks the field, counting each as an error.

use crate::point::{BatchPoint, FieldValue, Time};

/// The type of a field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Float,
    Int,
    String,
    Bool,
}

impl Kind {
    pub(super) fn of(value: &FieldValue) -> Kind {
        match value {
            FieldValue::Float(_) => Kind::Float,
            FieldValue::Int(_) => Kind::Int,
            FieldValue::String(_) => Kind::String,
            FieldValue::Bool(_) => Kind::Bool,
        }
    }
}

/// What the reducers need from a column's value type.
pub(super) trait Value: Copy + PartialOrd {
    fn to_field(self) -> FieldValue;

    /// Whether `first` prefers `self` over `other` at the same time: the larger value, except
    /// that booleans prefer `false` (InfluxQL's `first` tie-break).
    fn wins_first_tie(self, other: Self) -> bool {
        self > other
    }
}

impl Value for f64 {
    fn to_field(self) -> FieldValue {
        FieldValue::Float(self)
    }
}

impl Value for i64 {
    fn to_field(self) -> FieldValue {
        FieldValue::Int(self)
    }
}

impl Value for &str {
    fn to_field(self) -> FieldValue {
        FieldValue::String(self.to_owned())
    }
}

impl Value for bool {
    fn to_field(self) -> FieldValue {
        FieldValue::Bool(self)
    }

    fn wins_first_tie(self, other: Self) -> bool {
        !self && other
    }
}

/// One value of the column: its row's time, the value, and the row's index (reducers that
/// select a point report which row they chose).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Sample<V> {
    pub time: Time,
    pub value: V,
    pub row: usize,
}

/// The values of one field, all of one type, in row order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Column<'a> {
    Float(Vec<Sample<f64>>),
    Int(Vec<Sample<i64>>),
    String(Vec<Sample<&'a str>>),
    Bool(Vec<Sample<bool>>),
}

/// A column and how many rows were dropped while reading it.
#[derive(Debug)]
pub(super) struct ReadColumn<'a> {
    /// `None` when no row had the field with a type the function accepts.
    pub column: Option<Column<'a>>,
    pub dropped: u64,
}

impl<'a> Column<'a> {
    /// Reads `field` from `rows`, typed after the first value whose kind `accepts` allows.
    pub(super) fn read(
        rows: &'a [BatchPoint],
        field: &str,
        accepts: impl Fn(Kind) -> bool,
    ) -> ReadColumn<'a> {
        let first_kind = rows
            .iter()
            .filter_map(|row| row.fields.get(field))
            .map(Kind::of)
            .find(|kind| accepts(*kind));
        let Some(kind) = first_kind else {
            return ReadColumn {
                column: None,
                dropped: rows.len() as u64,
            };
        };
        let mut column = Column::empty(kind);
        let mut dropped = 0;
        for (row, point) in rows.iter().enumerate() {
            let pushed = point
                .fields
                .get(field)
                .is_some_and(|value| column.push(point.time, value, row));
            if !pushed {
                dropped += 1;
            }
        }
        ReadColumn {
            column: Some(column),
            dropped,
        }
    }

    pub(super) fn empty(kind: Kind) -> Column<'a> {
        match kind {
            Kind::Float => Column::Float(Vec::new()),
            Kind::Int => Column::Int(Vec::new()),
            Kind::String => Column::String(Vec::new()),
            Kind::Bool => Column::Bool(Vec::new()),
        }
    }

    /// Appends `value` if it has the column's type.
    pub(super) fn push(&mut self, time: Time, value: &'a FieldValue, row: usize) -> bool {
        match (self, value) {
            (Column::Float(v), FieldValue::Float(x)) => v.push(Sample {
                time,
                value: *x,
                row,
            }),
            (Column::Int(v), FieldValue::Int(x)) => v.push(Sample {
                time,
                value: *x,
                row,
            }),
            (Column::String(v), FieldValue::String(x)) => v.push(Sample {
                time,
                value: x.as_str(),
                row,
            }),
            (Column::Bool(v), FieldValue::Bool(x)) => v.push(Sample {
                time,
                value: *x,
                row,
            }),
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{Fields, Tags};

    fn row(time: Time, value: Option<FieldValue>) -> BatchPoint {
        let fields = value.map_or_else(Fields::new, |v| Fields::from_iter([("x".to_string(), v)]));
        BatchPoint {
            time,
            fields,
            tags: Tags::new(),
        }
    }

    #[test]
    fn type_comes_from_the_first_accepted_value() {
        let rows = [
            row(1, None),
            row(2, Some(FieldValue::String("s".into()))),
            row(3, Some(FieldValue::Int(4))),
            row(4, Some(FieldValue::Float(1.5))),
            row(5, Some(FieldValue::Int(6))),
        ];
        let read = Column::read(&rows, "x", |k| matches!(k, Kind::Float | Kind::Int));
        let expected = Column::Int(vec![
            Sample {
                time: 3,
                value: 4,
                row: 2,
            },
            Sample {
                time: 5,
                value: 6,
                row: 4,
            },
        ]);
        assert_eq!(read.column, Some(expected));
        assert_eq!(read.dropped, 3);
    }

    #[test]
    fn nothing_accepted_gives_no_column() {
        let rows = [row(1, Some(FieldValue::String("s".into())))];
        let read = Column::read(&rows, "x", |k| k == Kind::Float);
        assert_eq!(read.column, None);
        assert_eq!(read.dropped, 1);
    }
}
