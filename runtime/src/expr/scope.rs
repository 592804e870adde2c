//! How a lambda's references (`"usage_idle"`, `"host"`, `"time"`) read a point.

use super::error::EvalError;
use super::value::Value;
use crate::point::{BatchPoint, FieldValue, Point, SortedMap, Tags, Time};

/// What a lambda can reference: a point's fields, tags and time.
pub trait Scope {
    fn field(&self, name: &str) -> Option<&FieldValue>;
    fn tag(&self, name: &str) -> Option<&str>;
    fn time(&self) -> Time;
}

/// Up to this many entries, a lookup compares names for equality one by one rather than
/// searching the sorted names: points carry a handful of tags and fields, and an equality test
/// against a name the compiler knows (a lambda's reference, once inlined) is a length check and
/// a few word compares, where each step of a binary search is a full ordering comparison.
const SCAN_UP_TO: usize = 8;

/// The value named `name` in `map`.
#[inline]
fn lookup<'m, V>(map: &'m SortedMap<V>, name: &str) -> Option<&'m V> {
    if map.len() <= SCAN_UP_TO {
        map.iter().find_map(|(k, v)| (k == name).then_some(v))
    } else {
        map.get(name)
    }
}

/// The tag `name` of `tags`. Most references are fields, whose names are none of the tags':
/// those are ruled out without reading the tags.
#[inline]
fn tag_in<'t>(tags: &'t Tags, name: &str) -> Option<&'t str> {
    if !tags.may_hold(name) {
        return None;
    }
    lookup(tags, name).map(crate::point::Str::as_str)
}

impl Scope for Point {
    #[inline]
    fn field(&self, name: &str) -> Option<&FieldValue> {
        lookup(&self.fields, name)
    }
    #[inline]
    fn tag(&self, name: &str) -> Option<&str> {
        tag_in(&self.tags, name)
    }
    fn time(&self) -> Time {
        self.time
    }
}

impl Scope for BatchPoint {
    #[inline]
    fn field(&self, name: &str) -> Option<&FieldValue> {
        lookup(&self.fields, name)
    }
    #[inline]
    fn tag(&self, name: &str) -> Option<&str> {
        tag_in(&self.tags, name)
    }
    fn time(&self) -> Time {
        self.time
    }
}

/// Reads the reference `name`: `"time"` is always the point's time; otherwise the field, else the
/// tag, else a missing value. A name that is both a field and a tag is an error (Kapacitor refuses
/// to guess).
#[inline]
pub fn reference<'a, S: Scope + ?Sized>(
    scope: &'a S,
    name: &'a str,
) -> Result<Value<'a>, EvalError> {
    if name == "time" {
        return Ok(Value::Time(scope.time()));
    }
    match (scope.field(name), scope.tag(name)) {
        (Some(_), Some(_)) => Err(EvalError::FieldTagConflict {
            name: name.to_owned(),
        }),
        (Some(field), None) => Ok(Value::from_field(field)),
        (None, Some(tag)) => Ok(Value::str(tag)),
        (None, None) => Ok(Value::Missing(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{Fields, Tags};

    fn point() -> BatchPoint {
        BatchPoint {
            time: 42,
            fields: Fields::from_iter([
                ("v".to_owned(), FieldValue::Float(1.5)),
                ("both".to_owned(), FieldValue::Int(1)),
                ("time".to_owned(), FieldValue::Int(7)),
            ]),
            tags: Tags::from_iter([
                ("host".to_owned(), "a".to_owned()),
                ("both".to_owned(), "b".to_owned()),
            ]),
        }
    }

    #[test]
    fn fields_then_tags_then_missing() {
        let p = point();
        assert_eq!(reference(&p, "v"), Ok(Value::Float(1.5)));
        assert_eq!(reference(&p, "host"), Ok(Value::str("a")));
        assert_eq!(reference(&p, "nope"), Ok(Value::Missing("nope")));
    }

    /// Small maps are scanned, larger ones searched: both find every name and only those.
    #[test]
    fn lookups_find_names_in_small_and_large_maps() {
        for size in [SCAN_UP_TO, SCAN_UP_TO + 5] {
            let p = BatchPoint {
                time: 0,
                fields: (0..size).map(|i| (format!("f{i:02}"), FieldValue::Int(i as i64))).collect(),
                tags: (0..size).map(|i| (format!("t{i:02}"), format!("v{i}"))).collect(),
            };
            for i in 0..size {
                assert_eq!(reference(&p, &format!("f{i:02}")), Ok(Value::Int(i as i64)));
                assert_eq!(reference(&p, &format!("t{i:02}")), Ok(Value::str(&format!("v{i}"))));
            }
            assert_eq!(reference(&p, "f"), Ok(Value::Missing("f")));
            assert_eq!(reference(&p, "t99"), Ok(Value::Missing("t99")));
        }
    }

    #[test]
    fn time_is_the_point_time_even_when_a_field_has_that_name() {
        assert_eq!(reference(&point(), "time"), Ok(Value::Time(42)));
    }

    #[test]
    fn a_name_that_is_both_field_and_tag_fails() {
        assert_eq!(
            reference(&point(), "both").unwrap_err().to_string(),
            r#"cannot have field and tags with same name "both""#
        );
    }
}
