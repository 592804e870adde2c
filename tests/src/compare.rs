//! The comparison rules of ../shared/conformance/README.md: JSON lines compared value by value,
//! numbers within a relative 1e-9, alert details HTML-unescaped with `ServerInfo` dropped.

use std::path::Path;

use serde_json::Value;
use tick_runtime::template::escape::html_unescape;

/// An alert's details, unescaped and parsed when it is the default JSON (minus ServerInfo).
fn normalize_details(v: &mut Value) {
    let Some(details) = v.get("details").and_then(Value::as_str) else { return };
    if let Ok(Value::Object(mut parsed)) = serde_json::from_str::<Value>(&html_unescape(details)) {
        parsed.remove("ServerInfo");
        v["details"] = Value::Object(parsed);
    }
}

fn same(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            let close = x == y || (x - y).abs() <= (1e-9 * x.abs().max(y.abs())).max(1e-12);
            if close { Ok(()) } else { Err(format!("{path}: {x} != {y}")) }
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut kx: Vec<&String> = x.keys().collect();
            let mut ky: Vec<&String> = y.keys().collect();
            kx.sort();
            ky.sort();
            if kx != ky {
                return Err(format!("{path}: keys {kx:?} != {ky:?}"));
            }
            x.iter().try_for_each(|(k, v)| same(v, &y[k], &format!("{path}.{k}")))
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Err(format!("{path}: length {} != {}", x.len(), y.len()));
            }
            x.iter().zip(y).enumerate().try_for_each(|(i, (a, b))| same(a, b, &format!("{path}[{i}]")))
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {a} != {b}")),
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

fn parse(file: &str, i: usize, line: &str) -> Result<Value, String> {
    serde_json::from_str(line).map_err(|e| format!("{file} line {}: not JSON ({e})", i + 1))
}

/// Compares the outputs in `actual` with `expected`; the first difference on failure.
pub fn compare(expected: &Path, actual: &Path) -> Result<(), String> {
    for file in ["alerts.jsonl", "posts.jsonl", "tcp.jsonl"] {
        let (e, a) = (lines(&expected.join(file)), lines(&actual.join(file)));
        if e.len() != a.len() {
            return Err(format!("{file}: {} lines expected, {} got", e.len(), a.len()));
        }
        let mut ev = Vec::new();
        let mut av = Vec::new();
        for (i, (x, y)) in e.iter().zip(&a).enumerate() {
            let (mut x, mut y) = (parse(file, i, x)?, parse(file, i, y)?);
            if file == "posts.jsonl" {
                if let Some(body) = x.get_mut("body") {
                    normalize_details(body);
                }
                if let Some(body) = y.get_mut("body") {
                    normalize_details(body);
                }
            } else {
                normalize_details(&mut x);
                normalize_details(&mut y);
            }
            ev.push(x);
            av.push(y);
        }
        if file == "tcp.jsonl" {
            // Events close together may arrive out of order: compare as sorted sets.
            ev.sort_by_key(|v| v.to_string());
            av.sort_by_key(|v| v.to_string());
        }
        for (i, (x, y)) in ev.iter().zip(&av).enumerate() {
            same(x, y, "$").map_err(|d| format!("{file} line {}: {d}", i + 1))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_within_tolerance_and_ints_equal_floats() {
        assert!(same(&json!(1), &json!(1.0), "$").is_ok());
        assert!(same(&json!(0.1 + 0.2), &json!(0.3), "$").is_ok());
        assert!(same(&json!(1.0), &json!(1.0001), "$").is_err());
        assert!(same(&json!({"a": [1, "x"]}), &json!({"a": [1, "y"]}), "$").is_err());
    }

    #[test]
    fn details_drop_server_info() {
        let mut a = json!({"details": "{&#34;ServerInfo&#34;:{&#34;Hostname&#34;:&#34;x&#34;},&#34;ID&#34;:&#34;a&#34;}"});
        let mut b = json!({"details": "{&#34;ID&#34;:&#34;a&#34;,&#34;ServerInfo&#34;:{}}"});
        normalize_details(&mut a);
        normalize_details(&mut b);
        assert!(same(&a, &b, "$").is_ok());
    }
}
