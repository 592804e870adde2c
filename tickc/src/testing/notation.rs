//! The compact notation for a field's values over time, one value per step of an input:
//! `"90 80x3 _ 50+5x4"` is 90, then 80 three times, a step with no point, then 50, 55, 60, 65.
//!
//! Unlike promtool's, every count here is the number of steps it takes: `80x3` is three
//! values, `_x2` two gaps, `50+5x4` four values.

use serde_json::{Number, Value};

/// A field's values, step by step; `None` is a step without this field.
pub type Steps = Vec<Option<Value>>;

/// A number as written: `5i` is an integer (as in line protocol), anything else a float.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Written {
    Float(f64),
    Int(i64),
}

fn parse_number(text: &str) -> Option<Written> {
    match text.strip_suffix('i') {
        Some(int) => int.parse().ok().map(Written::Int),
        None => text.parse::<f64>().ok().filter(|f| f.is_finite()).map(Written::Float),
    }
}

/// Where a start value and a step meet in `V+DxN`: the first sign that is not the value's own
/// and not an exponent's.
fn split_step(head: &str) -> Option<(&str, &str, bool)> {
    let bytes = head.as_bytes();
    (1..bytes.len())
        .find(|&i| matches!(bytes[i], b'+' | b'-') && !matches!(bytes[i - 1], b'e' | b'E'))
        .map(|i| (&head[..i], &head[i + 1..], bytes[i] == b'-'))
}

/// One whitespace-separated term, expanded onto `out`.
fn expand_term(term: &str, out: &mut Steps, limit: usize) -> Result<(), String> {
    let (head, count) = match term.rsplit_once('x') {
        Some((head, count)) => {
            let n: usize = count.parse().map_err(|_| format!("`{term}`: the count after `x` must be a whole number"))?;
            if n == 0 {
                return Err(format!("`{term}`: a count must be at least 1"));
            }
            (head, n)
        }
        None => (term, 1),
    };
    if out.len().saturating_add(count) > limit {
        return Err(format!("more than {limit} steps: split the input or use a longer step"));
    }
    let single = |value: Value| std::iter::repeat_n(Some(value), count);
    match head {
        "_" => out.extend(std::iter::repeat_n(None, count)),
        "true" | "false" => out.extend(single(Value::Bool(head == "true"))),
        _ => match split_step(head) {
            None => {
                let value = parse_number(head).ok_or_else(|| not_a_value(term))?;
                out.extend(single(json_number(value).ok_or_else(|| not_a_value(term))?));
            }
            Some((start, step, negative)) => {
                if !term.contains('x') {
                    return Err(format!("`{term}`: a step needs a count, like `{term}x5`"));
                }
                let start = parse_number(start).ok_or_else(|| not_a_value(term))?;
                let step = step.strip_suffix('i').unwrap_or(step);
                let step = step.parse::<f64>().ok().filter(|d| d.is_finite()).ok_or_else(|| not_a_value(term))?;
                for k in 0..count {
                    out.push(Some(nth(term, start, step, negative, k)?));
                }
            }
        },
    }
    Ok(())
}

/// The `k`-th value of `start ± step × k`, in the start's type (an integer start takes an
/// integer step).
fn nth(term: &str, start: Written, step: f64, negative: bool, k: usize) -> Result<Value, String> {
    let overflow = || format!("`{term}` overflows");
    match start {
        Written::Int(s) if step.fract() == 0.0 && step.abs() < 9.0e15 => {
            let delta = (step as i64).checked_mul(i64::try_from(k).map_err(|_| overflow())?).ok_or_else(overflow)?;
            let v = if negative { s.checked_sub(delta) } else { s.checked_add(delta) };
            v.map(Value::from).ok_or_else(overflow)
        }
        Written::Int(_) => Err(format!("`{term}`: an integer start takes a whole step")),
        Written::Float(s) => {
            let sign = if negative { -1.0 } else { 1.0 };
            json_number(Written::Float(s + sign * step * k as f64)).ok_or_else(overflow)
        }
    }
}

fn json_number(n: Written) -> Option<Value> {
    match n {
        Written::Int(i) => Some(Value::from(i)),
        Written::Float(f) => Number::from_f64(f).map(Value::Number),
    }
}

fn not_a_value(term: &str) -> String {
    format!("`{term}` is not a value: write a number (`90`, `-1.5`, `5i` for an integer), `true`/`false`, `_` for no value, `VxN` for N times V, or `V+DxN` for N values from V by D")
}

/// Expands the notation into at most `limit` steps.
pub fn parse_steps(text: &str, limit: usize) -> Result<Steps, String> {
    let mut out = Steps::new();
    for term in text.split_whitespace() {
        expand_term(term, &mut out, limit)?;
    }
    if out.is_empty() {
        return Err("no values: write at least one, like `\"90 80x3\"`".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> String {
        match parse_steps(text, 100) {
            Ok(steps) => steps
                .iter()
                .map(|s| s.as_ref().map_or("_".to_string(), Value::to_string))
                .collect::<Vec<_>>()
                .join(" "),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn expands_values_repeats_ramps_and_gaps() {
        assert_eq!(show("90 80x3 _ 50+5x4"), "90.0 80.0 80.0 80.0 _ 50.0 55.0 60.0 65.0");
        assert_eq!(show("_x2 1.5-0.5x3"), "_ _ 1.5 1.0 0.5");
        assert_eq!(show("5i 5i+2x3 -1i-1x2"), "5 5 7 9 -1 -2");
        assert_eq!(show("1e-3 -2 truex2 false"), "0.001 -2.0 true true false");
        assert_eq!(show("1e-5+1e-5x2"), "0.00001 0.00002");
    }

    #[test]
    fn explains_what_is_wrong() {
        insta::assert_snapshot!(show("90 8O"), @"error: `8O` is not a value: write a number (`90`, `-1.5`, `5i` for an integer), `true`/`false`, `_` for no value, `VxN` for N times V, or `V+DxN` for N values from V by D");
        assert_eq!(show("5+1"), "error: `5+1`: a step needs a count, like `5+1x5`");
        assert_eq!(show("5x0"), "error: `5x0`: a count must be at least 1");
        assert_eq!(show("5i+0.5x2"), "error: `5i+0.5x2`: an integer start takes a whole step");
        assert_eq!(show(""), "error: no values: write at least one, like `\"90 80x3\"`");
        assert!(show("1x101").starts_with("error: more than 100 steps"));
    }
}
