//! The methods of `time.Time` and `time.Duration` that templates call, e.g.
//! `{{ .Time.Format "15:04" }}`, `{{ .Duration.Seconds }}`, `{{ .Time.Unix }}`.

use super::gotime::{Civil, duration_string, format_time, time_string};
use super::value::Value;

const SECOND: i64 = 1_000_000_000;

/// Calls `name` on `receiver` if it has such a method: `None` when it has not.
pub fn call_method(receiver: &Value, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
    match receiver {
        Value::Time(t) => time_method(*t, name, args),
        Value::Duration(d) => duration_method(*d, name, args),
        _ => None,
    }
}

fn want_args(name: &str, args: &[Value], n: usize) -> Result<(), String> {
    if args.len() == n {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args for {name}: want {n} got {}",
            args.len()
        ))
    }
}

fn duration_arg(args: &[Value]) -> Result<i64, String> {
    match args.first() {
        Some(Value::Duration(d) | Value::Int(d)) => Ok(*d),
        Some(other) => Err(format!(
            "wrong type for value; expected time.Duration; got {}",
            other.type_name()
        )),
        None => Err("missing argument".to_owned()),
    }
}

fn time_arg(args: &[Value]) -> Result<i64, String> {
    match args.first() {
        Some(Value::Time(t)) => Ok(*t),
        Some(other) => Err(format!(
            "wrong type for value; expected time.Time; got {}",
            other.type_name()
        )),
        None => Err("missing argument".to_owned()),
    }
}

fn time_method(t: i64, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
    let arity = match name {
        "Format" | "Add" | "Sub" | "Before" | "After" | "Equal" => 1,
        "Unix" | "UnixNano" | "Year" | "Day" | "Hour" | "Minute" | "Second" | "Nanosecond"
        | "YearDay" | "String" | "UTC" | "Local" => 0,
        _ => return None,
    };
    Some(want_args(name, args, arity).and_then(|()| {
        let civil = || Civil::from_unix_nanos(t);
        Ok(match name {
            "Format" => match args.first() {
                Some(Value::String(layout)) => Value::string(format_time(t, layout)),
                Some(other) => {
                    return Err(format!(
                        "wrong type for value; expected string; got {}",
                        other.type_name()
                    ));
                }
                None => return Err("missing argument".to_owned()),
            },
            "Add" => Value::Time(t.saturating_add(duration_arg(args)?)),
            "Sub" => Value::Duration(t.saturating_sub(time_arg(args)?)),
            "Before" => Value::Bool(t < time_arg(args)?),
            "After" => Value::Bool(t > time_arg(args)?),
            "Equal" => Value::Bool(t == time_arg(args)?),
            "Unix" => Value::Int64(t.div_euclid(SECOND)),
            "UnixNano" => Value::Int64(t),
            "Year" => Value::Int(civil().year),
            "Day" => Value::Int(i64::from(civil().day)),
            "Hour" => Value::Int(i64::from(civil().hour)),
            "Minute" => Value::Int(i64::from(civil().minute)),
            "Second" => Value::Int(i64::from(civil().second)),
            "Nanosecond" => Value::Int(i64::from(civil().nanosecond)),
            "YearDay" => Value::Int(i64::from(civil().year_day)),
            "String" => Value::string(time_string(t)),
            _ => Value::Time(t),
        })
    }))
}

fn duration_method(d: i64, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
    let arity = match name {
        "Round" | "Truncate" => 1,
        "Hours" | "Minutes" | "Seconds" | "Milliseconds" | "Microseconds" | "Nanoseconds"
        | "String" => 0,
        _ => return None,
    };
    // Go splits whole units from the remainder so large durations keep their precision.
    let in_units = |unit: i64| (d / unit) as f64 + (d % unit) as f64 / unit as f64;
    Some(want_args(name, args, arity).and_then(|()| {
        Ok(match name {
            "Round" => Value::Duration(round(d, duration_arg(args)?)),
            "Truncate" => {
                let m = duration_arg(args)?;
                Value::Duration(if m <= 0 { d } else { d - d % m })
            }
            "Hours" => Value::Float(in_units(3600 * SECOND)),
            "Minutes" => Value::Float(in_units(60 * SECOND)),
            "Seconds" => Value::Float(in_units(SECOND)),
            "Milliseconds" => Value::Int64(d / 1_000_000),
            "Microseconds" => Value::Int64(d / 1_000),
            "Nanoseconds" => Value::Int64(d),
            _ => Value::string(duration_string(d)),
        })
    }))
}

/// `Duration.Round`: halves away from zero, saturating on overflow.
fn round(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let r = (d % m).abs();
    let less_than_half = (r as u64).saturating_mul(2) < m as u64;
    if d < 0 {
        if less_than_half {
            d + r
        } else {
            d.checked_sub(m - r).unwrap_or(i64::MIN)
        }
    } else if less_than_half {
        d - r
    } else {
        d.checked_add(m - r).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(v: Value, name: &str, args: &[Value]) -> Result<Value, String> {
        call_method(&v, name, args).expect("method exists")
    }

    #[test]
    fn duration_methods() {
        assert_eq!(
            call(Value::Duration(3 * SECOND), "Seconds", &[]),
            Ok(Value::Float(3.0))
        );
        assert_eq!(
            call(Value::Duration(90 * SECOND), "Minutes", &[]),
            Ok(Value::Float(1.5))
        );
        assert_eq!(
            call(Value::Duration(1_500_000), "Milliseconds", &[]),
            Ok(Value::Int64(1))
        );
        assert_eq!(
            call(
                Value::Duration(1_500_000_000),
                "Round",
                &[Value::Int(SECOND)]
            ),
            Ok(Value::Duration(2 * SECOND))
        );
        assert_eq!(
            call(
                Value::Duration(-1_500_000_000),
                "Round",
                &[Value::Int(SECOND)]
            ),
            Ok(Value::Duration(-2 * SECOND))
        );
        assert_eq!(
            call(
                Value::Duration(1_700_000_000),
                "Truncate",
                &[Value::Int(SECOND)]
            ),
            Ok(Value::Duration(SECOND))
        );
        assert_eq!(
            call(Value::Duration(61 * SECOND), "String", &[]),
            Ok(Value::string("1m1s"))
        );
        assert!(call(Value::Duration(1), "Seconds", &[Value::Int(1)]).is_err());
        assert!(call_method(&Value::Duration(1), "Nope", &[]).is_none());
    }

    #[test]
    fn time_methods() {
        let t = Value::Time(1_700_000_006_000_000_000);
        assert_eq!(
            call(t.clone(), "Unix", &[]),
            Ok(Value::Int64(1_700_000_006))
        );
        assert_eq!(call(t.clone(), "Year", &[]), Ok(Value::Int(2023)));
        assert_eq!(
            call(t.clone(), "Format", &[Value::string("15:04")]),
            Ok(Value::string("22:13"))
        );
        assert_eq!(
            call(t.clone(), "Add", &[Value::Duration(SECOND)]),
            Ok(Value::Time(1_700_000_007_000_000_000))
        );
        assert_eq!(
            call(t.clone(), "Sub", &[Value::Time(1_700_000_000_000_000_000)]),
            Ok(Value::Duration(6 * SECOND))
        );
        assert!(call(t.clone(), "Format", &[Value::Int(1)]).is_err());
        assert!(call_method(&t, "Month", &[]).is_none());
    }
}
