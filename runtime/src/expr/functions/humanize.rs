//! `humanBytes(x)`: a byte count in SI units the way go-humanize's `Bytes` writes it ("82 B",
//! "1.0 kB", "83 MB").

use std::borrow::Cow;

use super::{Body, CallError, Function, sig};
use crate::expr::ops::truncate_to_i64;
use crate::expr::value::{Type, Value};

pub static HUMAN_BYTES: Function = Function::new(
    "humanBytes",
    Body::Custom {
        signatures: &[
            sig(&[Type::Float], Type::String),
            sig(&[Type::Int], Type::String),
        ],
        call: human_bytes_call,
    },
);

fn human_bytes_call<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    // Go converts to uint64: an int wraps, a float truncates (through int64 for negatives, as
    // Go's conversion does on amd64).
    let bytes = match args {
        [Value::Int(n)] => *n as u64,
        [Value::Float(x)] if *x >= 0.0 => *x as u64,
        [Value::Float(x)] => truncate_to_i64(*x) as u64,
        _ => return Err(CallError::Signature),
    };
    Ok(Value::String(Cow::Owned(human_bytes(bytes))))
}

/// Formats a byte count with SI prefixes: under 10 bytes as is, then one decimal below 10 units
/// ("1.5 kB") and none above ("999 B", "15 MB"), rounding halves up.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    if bytes < 10 {
        return format!("{bytes} B");
    }
    let size = bytes as f64;
    // u64::MAX is below 1000^7, so the exponent stays within the table.
    let exponent = (size.ln() / 1000f64.ln()).floor();
    let unit = UNITS.get(exponent as usize).copied().unwrap_or("EB");
    let value = (size / 1000f64.powf(exponent) * 10.0 + 0.5).floor() / 10.0;
    if value < 10.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::call;
    use super::*;

    #[test]
    fn formats_like_go_humanize() {
        let cases = [
            (0, "0 B"),
            (9, "9 B"),
            (82, "82 B"),
            (999, "999 B"),
            (1000, "1.0 kB"),
            (1500, "1.5 kB"),
            (1_500_000, "1.5 MB"),
            (2_250_000, "2.3 MB"),
            (5_000_000_000, "5.0 GB"),
            (82_854_982, "83 MB"),
            (u64::MAX, "18 EB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(human_bytes(bytes), text, "{bytes}");
        }
    }

    #[test]
    fn takes_ints_and_floats() {
        assert_eq!(
            call("humanBytes", &[Value::Int(1000)]),
            Ok(Value::str("1.0 kB"))
        );
        assert_eq!(
            call("humanBytes", &[Value::Float(7.5e9)]),
            Ok(Value::str("7.5 GB"))
        );
        assert_eq!(
            call("humanBytes", &[Value::Int(-1)]),
            Ok(Value::str("18 EB"))
        );
        assert!(call("humanBytes", &[Value::str("1")]).is_err());
    }
}
