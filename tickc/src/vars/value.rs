//! One var of Kapacitor's vars format, `{"type": "float", "value": 90}`, to the value the
//! checker substitutes. The type names the kind, whatever JSON type the value has (a float may
//! be written `90`); a duration is nanoseconds or a string such as `"5m"`; regexes and lambdas
//! are strings; a list holds `{"type", "value"}` items of string kinds, bools or stars, as
//! Kapacitor accepts.

use serde_json::Value as Json;

use super::duration::parse_duration;
use crate::check::{lambda_from_text, lambda_source};
use crate::ir::Value;
use crate::span::line_col;

/// The value of one var object, or why it is not one.
pub(super) fn var_value(var: &Json) -> Result<Value, String> {
    typed_value(var, false)
}

fn typed_value(var: &Json, in_list: bool) -> Result<Value, String> {
    let Json::Object(fields) = var else {
        return Err(r#"a var is an object such as {"type": "float", "value": 90}"#.to_owned());
    };
    let Some(ty) = fields.get("type").and_then(Json::as_str) else {
        return Err(r#"a var needs a "type" (bool, int, float, string, regex, duration, lambda, list or star)"#.to_owned());
    };
    let value = fields.get("value").unwrap_or(&Json::Null);
    let expected = |what: &str| format!("a value of type {ty} is {what}, not {value}");
    match ty {
        // A star has no value to give.
        "star" => return Ok(Value::Star),
        "int" | "float" | "duration" | "list" if in_list => {
            return Err(format!("list items are of type string, regex, lambda, bool or star, not {ty}"));
        }
        _ => {}
    }
    match (ty, value) {
        ("bool", Json::Bool(b)) => Ok(Value::Bool(*b)),
        ("int", Json::Number(n)) => n.as_i64().map(Value::Int).ok_or_else(|| expected("a whole number")),
        ("float", Json::Number(n)) => n.as_f64().map(Value::Float).ok_or_else(|| expected("a number")),
        ("duration", Json::Number(n)) => n
            .as_i64()
            .map(Value::Duration)
            .ok_or_else(|| expected("whole nanoseconds or a string such as \"5m\"")),
        ("duration", Json::String(s)) => parse_duration(s).map(Value::Duration),
        ("string", Json::String(s)) => Ok(Value::String(s.clone())),
        ("regex", Json::String(s)) => match regex::Regex::new(s) {
            Ok(_) => Ok(Value::Regex(s.clone())),
            Err(e) => Err(format!("{s:?} is not a valid regex: {e}")),
        },
        ("lambda", Json::String(s)) => lambda_value(s),
        ("list", Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| typed_value(item, true).map_err(|e| format!("item {}: {e}", i + 1)))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        ("bool", _) => Err(expected("true or false")),
        ("int", _) => Err(expected("a whole number")),
        ("float", _) => Err(expected("a number")),
        ("duration", _) => Err(expected("whole nanoseconds or a string such as \"5m\"")),
        ("string" | "regex" | "lambda", _) => Err(expected("a string")),
        ("list", _) => Err(expected(r#"a list of vars, such as [{"type": "string", "value": "host"}]"#)),
        _ => Err(format!(
            "{ty:?} is not a var type (bool, int, float, string, regex, duration, lambda, list or star)"
        )),
    }
}

/// A lambda from its text, or its first error with the column it is at.
fn lambda_value(text: &str) -> Result<Value, String> {
    lambda_from_text(text).map(Value::Lambda).map_err(|diagnostics| {
        let source = lambda_source(text);
        let first = diagnostics.iter().find(|d| d.is_error());
        match first {
            Some(d) => {
                let at = line_col(&source, d.span.start);
                format!("in the lambda `{source}`, at {}:{}: {}", at.line, at.column, d.message)
            }
            None => format!("`{source}` is not a lambda expression"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{StaticType, TypedExprKind};
    use serde_json::json;

    fn value(var: Json) -> Result<Value, String> {
        var_value(&var)
    }

    #[test]
    fn each_type() {
        assert_eq!(value(json!({"type": "bool", "value": true})), Ok(Value::Bool(true)));
        assert_eq!(value(json!({"type": "int", "value": 3})), Ok(Value::Int(3)));
        assert_eq!(value(json!({"type": "float", "value": 60})), Ok(Value::Float(60.0)));
        assert_eq!(value(json!({"type": "duration", "value": 60_000_000_000_i64})), Ok(Value::Duration(60_000_000_000)));
        assert_eq!(value(json!({"type": "duration", "value": "5m"})), Ok(Value::Duration(300_000_000_000)));
        assert_eq!(value(json!({"type": "string", "value": "cpu"})), Ok(Value::String("cpu".into())));
        assert_eq!(value(json!({"type": "regex", "value": "^web"})), Ok(Value::Regex("^web".into())));
        assert_eq!(value(json!({"type": "star"})), Ok(Value::Star));
        assert_eq!(
            value(json!({"type": "list", "value": [{"type": "string", "value": "host"}, {"type": "star", "value": null}]})),
            Ok(Value::List(vec![Value::String("host".into()), Value::Star]))
        );
        let Ok(Value::Lambda(lambda)) = value(json!({"type": "lambda", "value": "\"service\" == 'web'"})) else {
            panic!("a lambda");
        };
        assert!(matches!(lambda.body.kind, TypedExprKind::Binary { .. }));
        assert_eq!(lambda.body.ty, StaticType::Known(crate::catalogue::ValueType::Bool));
    }

    #[test]
    fn wrong_values_say_what_was_expected() {
        let errors: Vec<String> = [
            json!({"type": "int", "value": 1.5}),
            json!({"type": "float", "value": "x"}),
            json!({"type": "string", "value": null}),
            json!({"type": "duration", "value": "5 minutes"}),
            json!({"type": "regex", "value": "("}),
            json!({"type": "lambda", "value": "\"a\" > "}),
            json!({"type": "list", "value": [{"type": "int", "value": 1}]}),
            json!({"type": "integer", "value": 1}),
            json!({"value": 1}),
        ]
        .into_iter()
        .map(|v| value(v).unwrap_err())
        .collect();
        insta::assert_snapshot!(errors.join("\n"));
    }
}
