//! A JSON object written member by member, as Go's encoding/json writes the payloads services
//! send: members in the order given (a Go struct's field order, or sorted keys for a Go map),
//! strings escaped as Go escapes them.

use crate::json::{UnsupportedFloat, write_f64, write_i64, write_str};

/// A scalar a script gives a service as a free-form value (`.metadata('num', 42)`).
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    String(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl From<&str> for Scalar {
    fn from(s: &str) -> Self {
        Scalar::String(s.to_owned())
    }
}

impl From<i64> for Scalar {
    fn from(v: i64) -> Self {
        Scalar::Int(v)
    }
}

impl From<f64> for Scalar {
    fn from(v: f64) -> Self {
        Scalar::Float(v)
    }
}

impl From<bool> for Scalar {
    fn from(v: bool) -> Self {
        Scalar::Bool(v)
    }
}

impl Scalar {
    /// Appends the value's JSON.
    pub fn write_json(&self, out: &mut String) -> Result<(), UnsupportedFloat> {
        match self {
            Scalar::String(s) => write_str(out, s),
            Scalar::Int(v) => write_i64(out, *v),
            Scalar::Float(v) => write_f64(out, *v)?,
            Scalar::Bool(v) => out.push_str(if *v { "true" } else { "false" }),
        }
        Ok(())
    }
}

/// An object being written; [`JsonObject::finish`] closes it.
#[derive(Debug)]
pub struct JsonObject {
    out: String,
}

impl Default for JsonObject {
    fn default() -> Self {
        Self::new()
    }
}

impl JsonObject {
    pub fn new() -> Self {
        JsonObject {
            out: String::from("{"),
        }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        write_str(&mut self.out, key);
        self.out.push(':');
        &mut self.out
    }

    pub fn string(&mut self, key: &str, value: &str) -> &mut Self {
        write_str(self.key(key), value);
        self
    }

    pub fn int(&mut self, key: &str, value: i64) -> &mut Self {
        write_i64(self.key(key), value);
        self
    }

    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key).push_str(if value { "true" } else { "false" });
        self
    }

    /// A member whose value is JSON text already.
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key).push_str(json);
        self
    }

    /// A list of strings; an empty list is `null`, as Go writes a nil slice.
    pub fn strings_or_null(&mut self, key: &str, values: &[String]) -> &mut Self {
        let out = self.key(key);
        if values.is_empty() {
            out.push_str("null");
        } else {
            write_string_array(out, values);
        }
        self
    }

    /// A list of strings, `[]` when empty.
    pub fn strings(&mut self, key: &str, values: &[String]) -> &mut Self {
        write_string_array(self.key(key), values);
        self
    }

    pub fn scalar(&mut self, key: &str, value: &Scalar) -> Result<&mut Self, UnsupportedFloat> {
        value.write_json(self.key(key))?;
        Ok(self)
    }

    /// The object's text.
    pub fn finish(&mut self) -> String {
        let mut out = std::mem::take(&mut self.out);
        out.push('}');
        out
    }

    /// The object as Go's `json.Encoder` writes it: followed by a newline.
    pub fn finish_line(&mut self) -> Vec<u8> {
        let mut out = self.finish();
        out.push('\n');
        out.into_bytes()
    }
}

fn write_string_array(out: &mut String, values: &[String]) {
    out.push('[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, v);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_members_in_order_with_go_escaping() {
        let mut o = JsonObject::new();
        o.string("b", "<a & b>")
            .int("a", -3)
            .bool("t", true)
            .raw("r", "{\"x\":1}")
            .strings_or_null("n", &[])
            .strings("l", &["x".into(), "y".into()]);
        o.scalar("f", &Scalar::Float(5.5)).unwrap();
        assert_eq!(
            o.finish(),
            r#"{"b":"\u003ca \u0026 b\u003e","a":-3,"t":true,"r":{"x":1},"n":null,"l":["x","y"],"f":5.5}"#
        );
    }

    #[test]
    fn an_infinite_scalar_cannot_be_written() {
        assert!(
            JsonObject::new()
                .scalar("f", &Scalar::Float(f64::INFINITY))
                .is_err()
        );
    }

    #[test]
    fn an_empty_object_ends_its_line() {
        assert_eq!(JsonObject::new().finish_line(), b"{}\n");
    }
}
