//! The dynamic values a template walks over: a small model of the Go values Kapacitor hands
//! to text/template (strings, numbers, `time.Time`, `time.Duration`, maps, structs).

use std::sync::Arc;

use crate::point::{FieldValue, Fields, Tags};

/// A Go value as a template sees it.
///
/// Go distinguishes `int` (template literals, `len`) from `int64` (field values): the
/// distinction only shows in `printf`'s type names (`%!s(int64=5)`), so both are kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A missing value: an absent map key, an untyped nil. Printed as `<no value>` by an
    /// action and as `<nil>` by the fmt functions.
    Nil,
    Bool(bool),
    /// A Go `int`.
    Int(i64),
    /// A Go `int64`.
    Int64(i64),
    Float(f64),
    String(Arc<str>),
    /// A `time.Time` in UTC, as nanoseconds since the Unix epoch.
    Time(i64),
    /// A `time.Duration` in nanoseconds.
    Duration(i64),
    Map(Arc<MapValue>),
    List(Arc<Vec<Value>>),
    Struct(Arc<StructValue>),
}

/// What a map holds, which decides the zero value `index` returns for a missing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapElem {
    /// `map[string]string`: a missing key reads as "".
    String,
    /// `map[string]interface{}`: a missing key reads as nil.
    Any,
}

/// A Go map with string keys, kept sorted by key (the order Go prints and ranges in).
#[derive(Debug, Clone, PartialEq)]
pub struct MapValue {
    /// The Go type name shown by `%T` and in errors, e.g. `models.Tags`.
    pub type_name: &'static str,
    pub elem: MapElem,
    entries: Vec<(String, Value)>,
}

/// A Go struct: named fields in declaration order. An embedded field's own fields are
/// reachable by name from the outer struct, as Go promotes them.
#[derive(Debug, Clone, PartialEq)]
pub struct StructValue {
    pub type_name: &'static str,
    pub fields: Vec<StructField>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructField {
    pub name: &'static str,
    pub value: Value,
    pub embedded: bool,
}

impl Value {
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    /// Go's type name, as `%T` prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Time(_) => "time.Time",
            Value::Duration(_) => "time.Duration",
            Value::Map(m) => m.type_name,
            Value::List(_) => "[]interface {}",
            Value::Struct(s) => s.type_name,
        }
    }

    /// Go's notion of truth used by `if`, `with`, `and`, `or`, `not`: the zero value of a
    /// type and empty collections are false; structs are always true.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) | Value::Duration(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Time(_) | Value::Struct(_) => true,
        }
    }

    /// Builds the value Kapacitor passes for a point's tags (`models.Tags`).
    pub fn from_tags(tags: &Tags) -> Value {
        let entries = tags
            .iter()
            .map(|(k, v)| (k.to_owned(), Value::string(v.as_str())));
        Value::Map(Arc::new(MapValue::from_sorted(
            "models.Tags",
            MapElem::String,
            entries.collect(),
        )))
    }

    /// Builds the value Kapacitor passes for a point's fields (`models.Fields`).
    pub fn from_fields(fields: &Fields) -> Value {
        let entries = fields.iter().map(|(k, v)| (k.to_owned(), Value::from(v)));
        Value::Map(Arc::new(MapValue::from_sorted(
            "models.Fields",
            MapElem::Any,
            entries.collect(),
        )))
    }
}

impl From<&FieldValue> for Value {
    fn from(v: &FieldValue) -> Value {
        match v {
            FieldValue::Float(f) => Value::Float(*f),
            FieldValue::Int(i) => Value::Int64(*i),
            FieldValue::String(s) => Value::string(s.as_str()),
            FieldValue::Bool(b) => Value::Bool(*b),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}

impl MapValue {
    /// Builds from pairs in any order; a later duplicate key replaces an earlier one.
    pub fn new(
        type_name: &'static str,
        elem: MapElem,
        pairs: impl IntoIterator<Item = (String, Value)>,
    ) -> MapValue {
        let mut entries: Vec<(String, Value)> = Vec::new();
        for (k, v) in pairs {
            match entries.binary_search_by(|(e, _)| e.as_str().cmp(&k)) {
                Ok(i) => entries[i].1 = v,
                Err(i) => entries.insert(i, (k, v)),
            }
        }
        MapValue {
            type_name,
            elem,
            entries,
        }
    }

    fn from_sorted(
        type_name: &'static str,
        elem: MapElem,
        entries: Vec<(String, Value)>,
    ) -> MapValue {
        MapValue {
            type_name,
            elem,
            entries,
        }
    }

    /// The same map under another Go type name.
    pub fn with_type_name(mut self, type_name: &'static str) -> MapValue {
        self.type_name = type_name;
        self
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// What Go's `index` yields for a missing key: the element type's zero value.
    pub fn zero(&self) -> Value {
        match self.elem {
            MapElem::String => Value::string(""),
            MapElem::Any => Value::Nil,
        }
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl StructValue {
    pub fn new(type_name: &'static str) -> StructValue {
        StructValue {
            type_name,
            fields: Vec::new(),
        }
    }

    /// Adds a named field.
    pub fn field(mut self, name: &'static str, value: impl Into<Value>) -> StructValue {
        self.fields.push(StructField {
            name,
            value: value.into(),
            embedded: false,
        });
        self
    }

    /// Embeds another struct, whose fields become reachable from this one.
    pub fn embed(mut self, inner: impl Into<Arc<StructValue>>) -> StructValue {
        let inner: Arc<StructValue> = inner.into();
        let name = inner
            .type_name
            .rsplit('.')
            .next()
            .unwrap_or(inner.type_name);
        self.fields.push(StructField {
            name,
            value: Value::Struct(inner),
            embedded: true,
        });
        self
    }

    /// Looks a field up by name: this struct's own fields first, then those promoted from
    /// embedded structs (the shallowest wins, as in Go).
    pub fn lookup(&self, name: &str) -> Option<&Value> {
        if let Some(f) = self.fields.iter().find(|f| f.name == name) {
            return Some(&f.value);
        }
        self.fields
            .iter()
            .filter(|f| f.embedded)
            .find_map(|f| match &f.value {
                Value::Struct(inner) => inner.lookup(name),
                _ => None,
            })
    }
}

impl From<StructValue> for Value {
    fn from(s: StructValue) -> Value {
        Value::Struct(Arc::new(s))
    }
}

impl From<MapValue> for Value {
    fn from(m: MapValue) -> Value {
        Value::Map(Arc::new(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_fields_convert_with_go_types() {
        let tags = Tags::from_iter([("host".to_owned(), "a".to_owned())]);
        let fields = Fields::from_iter([
            ("n".to_owned(), FieldValue::Int(3)),
            ("v".to_owned(), FieldValue::Float(1.5)),
        ]);
        let Value::Map(t) = Value::from_tags(&tags) else {
            panic!("tags are a map")
        };
        assert_eq!(t.get("host"), Some(&Value::string("a")));
        assert_eq!(t.zero(), Value::string(""));
        let Value::Map(f) = Value::from_fields(&fields) else {
            panic!("fields are a map")
        };
        assert_eq!(f.get("n"), Some(&Value::Int64(3)));
        assert_eq!(f.get("v"), Some(&Value::Float(1.5)));
        assert_eq!(f.zero(), Value::Nil);
    }

    #[test]
    fn embedded_fields_are_promoted() {
        let inner = StructValue::new("kapacitor.idInfo").field("Name", "cpu");
        let outer = StructValue::new("kapacitor.messageInfo")
            .embed(inner)
            .field("ID", "x");
        assert_eq!(outer.lookup("Name"), Some(&Value::string("cpu")));
        assert_eq!(outer.lookup("ID"), Some(&Value::string("x")));
        assert_eq!(
            outer.lookup("idInfo").map(Value::type_name),
            Some("kapacitor.idInfo")
        );
        assert_eq!(outer.lookup("Nope"), None);
    }

    #[test]
    fn map_new_sorts_and_dedups() {
        let m = MapValue::new(
            "m",
            MapElem::Any,
            [
                ("b".into(), Value::Int(1)),
                ("a".into(), Value::Int(2)),
                ("b".into(), Value::Int(3)),
            ],
        );
        let keys: Vec<_> = m.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(m.get("b"), Some(&Value::Int(3)));
    }
}
