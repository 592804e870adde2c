//! Kapacitor's `json` template function: Go's `json.NewEncoder(w).Encode(v)` of a template
//! value, with Go's HTML-safe string escaping, sorted map keys, promoted embedded-struct
//! fields and Go's float format, followed by a newline.

use super::gotime::Civil;
use crate::json::{write_f64, write_object, write_str, write_time};
use super::value::Value;

/// Encodes `v` as Go's JSON encoder would, with the trailing newline.
pub fn encode(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    write(&mut out, v)?;
    out.push('\n');
    Ok(out)
}

fn write(out: &mut String, v: &Value) -> Result<(), String> {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) | Value::Duration(i) => out.push_str(&i.to_string()),
        Value::Float(f) => write_f64(out, *f).map_err(|e| e.to_string())?,
        Value::String(s) => write_str(out, s),
        Value::Time(ns) => {
            let year = Civil::from_unix_nanos(*ns).year;
            if !(0..=9999).contains(&year) {
                return Err("json: error calling MarshalJSON for type time.Time: year outside of range [0,9999]".to_owned());
            }
            write_time(out, *ns);
        }
        Value::Map(m) => write_object(out, m.iter(), write_str, write)?,
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item)?;
            }
            out.push(']');
        }
        Value::Struct(_) => {
            out.push('{');
            let mut first = true;
            write_struct_fields(out, v, &mut first)?;
            out.push('}');
        }
    }
    Ok(())
}

/// Writes a struct's fields, inlining those of embedded structs in place.
fn write_struct_fields(out: &mut String, v: &Value, first: &mut bool) -> Result<(), String> {
    let Value::Struct(s) = v else { return Ok(()) };
    for field in &s.fields {
        if field.embedded && matches!(field.value, Value::Struct(_)) {
            write_struct_fields(out, &field.value, first)?;
            continue;
        }
        if !std::mem::take(first) {
            out.push(',');
        }
        write_str(out, field.name);
        out.push(':');
        write(out, &field.value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::value::{MapElem, MapValue, StructValue};
    use super::*;

    #[test]
    fn encodes_like_go() {
        let fields = MapValue::new(
            "models.Fields",
            MapElem::Any,
            [
                ("v".into(), Value::Float(66.0)),
                ("n".into(), Value::Int64(66)),
                ("s".into(), Value::string("<a&b>\n\u{1}\u{2028}")),
            ],
        );
        let inner = StructValue::new("kapacitor.idInfo")
            .field("Name", "svc")
            .field("Tags", MapValue::new("models.Tags", MapElem::String, []));
        let v = Value::from(
            StructValue::new("kapacitor.messageInfo")
                .embed(inner)
                .field("Fields", fields)
                .field("Time", Value::Time(1_700_000_006_500_000_000))
                .field("Duration", Value::Duration(3_000_000_000))
                .field("X", Value::Nil),
        );
        assert_eq!(
            encode(&v).unwrap(),
            "{\"Name\":\"svc\",\"Tags\":{},\"Fields\":{\"n\":66,\"s\":\"\\u003ca\\u0026b\\u003e\\n\\u0001\\u2028\",\"v\":66},\"Time\":\"2023-11-14T22:13:26.5Z\",\"Duration\":3000000000,\"X\":null}\n"
        );
    }

    #[test]
    fn refuses_nan() {
        assert!(encode(&Value::Float(f64::NAN)).is_err());
        assert_eq!(
            encode(&Value::List(
                vec![Value::Bool(true), Value::Float(1e21)].into()
            ))
            .unwrap(),
            "[true,1e+21]\n"
        );
    }
}
