//! Points built by hand, for a program that has its values at hand rather than as line
//! protocol.

use crate::point::{Dimensions, FieldValue, Fields, GroupKey, Point, Tags, Time};

/// A point under construction; [`EmbeddedTask::point`](super::EmbeddedTask::point) starts one
/// in the task's database.
///
/// ```
/// use tick_runtime::embed::PointBuilder;
///
/// let point = PointBuilder::new("telegraf", "autogen", "cpu", 1_700_000_000_000_000_000)
///     .tag("host", "web1")
///     .field("usage_idle", 42.5)
///     .field("cores", 8)
///     .build();
/// assert_eq!(point.fields.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct PointBuilder {
    point: Point,
}

impl PointBuilder {
    /// A point of `measurement` at `time` (nanoseconds since the Unix epoch), written to
    /// `database`.`retention_policy`, with no tags or fields yet.
    pub fn new(database: &str, retention_policy: &str, measurement: &str, time: Time) -> PointBuilder {
        PointBuilder {
            point: Point {
                database: database.into(),
                retention_policy: retention_policy.into(),
                name: measurement.into(),
                tags: Tags::new(),
                fields: Fields::new(),
                time,
                dimensions: Dimensions::default(),
                group: GroupKey::default(),
            },
        }
    }

    /// Sets a tag (a later value for the same key replaces an earlier one).
    pub fn tag(mut self, key: &str, value: &str) -> PointBuilder {
        self.point.tags.insert(key, value.to_owned());
        self
    }

    /// Sets a field: a float, an integer, a bool, a string or a [`FieldValue`].
    pub fn field(mut self, key: &str, value: impl Into<FieldValue>) -> PointBuilder {
        self.point.fields.insert(key, value.into());
        self
    }

    pub fn build(self) -> Point {
        self.point
    }
}

// The value types a field holds, so hand-built points read like line protocol.

impl From<f64> for FieldValue {
    fn from(value: f64) -> Self {
        FieldValue::Float(value)
    }
}

impl From<i64> for FieldValue {
    fn from(value: i64) -> Self {
        FieldValue::Int(value)
    }
}

impl From<i32> for FieldValue {
    fn from(value: i32) -> Self {
        FieldValue::Int(i64::from(value))
    }
}

impl From<bool> for FieldValue {
    fn from(value: bool) -> Self {
        FieldValue::Bool(value)
    }
}

impl From<&str> for FieldValue {
    fn from(value: &str) -> Self {
        FieldValue::String(value.to_owned())
    }
}

impl From<String> for FieldValue {
    fn from(value: String) -> Self {
        FieldValue::String(value)
    }
}
