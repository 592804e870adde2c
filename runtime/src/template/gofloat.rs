//! Go's `strconv.FormatFloat` for float64 (`e`, `f`, `g` with a precision or the shortest
//! round-tripping digits), and the float form Go's `encoding/json` writes.
//!
//! Rust's formatter already produces correctly rounded digits (ties to even on exact
//! halves, as Go's decimal rounding does); this module only lays them out Go's way.

/// A float's decimal digits: `0.d1d2d3… × 10^point`.
struct Digits {
    negative: bool,
    /// ASCII digits without trailing zeros; empty for zero.
    digits: Vec<u8>,
    /// Position of the decimal point relative to the first digit.
    point: i32,
}

impl Digits {
    /// Digits from Rust's exponent form (`9.71e1`), either shortest or with `precision`
    /// digits after the first.
    fn new(x: f64, precision: Option<usize>) -> Digits {
        let text = match precision {
            Some(p) => format!("{:.*e}", p, x.abs()),
            None => format!("{:e}", x.abs()),
        };
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
        let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        let point = if digits.is_empty() {
            0
        } else {
            exponent.parse::<i32>().unwrap_or(0) + 1
        };
        Digits {
            negative: x.is_sign_negative(),
            digits,
            point,
        }
    }

    fn len(&self) -> i32 {
        self.digits.len() as i32
    }

    fn digit(&self, i: i32) -> u8 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.digits.get(i))
            .copied()
            .unwrap_or(b'0')
    }

    /// `d.ddde±dd` with `precision` digits after the point.
    fn exponent_form(&self, precision: i32, e: u8, out: &mut String) {
        if self.negative {
            out.push('-');
        }
        out.push(char::from(self.digit(0)));
        if precision > 0 {
            out.push('.');
            for i in 1..=precision {
                out.push(char::from(self.digit(i)));
            }
        }
        out.push(char::from(e));
        let exp = if self.digits.is_empty() {
            0
        } else {
            self.point - 1
        };
        out.push(if exp < 0 { '-' } else { '+' });
        let exp = exp.unsigned_abs();
        if exp < 10 {
            out.push('0');
        }
        out.push_str(&exp.to_string());
    }

    /// `ddd.ddd` with `precision` digits after the point.
    fn fixed_form(&self, precision: i32, out: &mut String) {
        if self.negative {
            out.push('-');
        }
        if self.point > 0 {
            for i in 0..self.point {
                out.push(char::from(self.digit(i)));
            }
        } else {
            out.push('0');
        }
        if precision > 0 {
            out.push('.');
            for i in 0..precision {
                out.push(char::from(self.digit(self.point + i)));
            }
        }
    }
}

/// `strconv.FormatFloat(x, verb, precision, 64)` for verbs `e E f g G`; `None` is Go's -1
/// (the shortest digits that round-trip). Signs: only `-` is written.
pub fn format_float(x: f64, verb: u8, precision: Option<usize>) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let mut out = String::new();
    match verb {
        b'e' | b'E' => {
            let d = Digits::new(x, precision);
            let p = precision.map_or(d.len() - 1, |p| p as i32);
            d.exponent_form(p.max(0), verb, &mut out);
        }
        b'f' | b'F' => match precision {
            Some(p) => {
                let text = format!("{:.*}", p, x.abs());
                if x.is_sign_negative() {
                    out.push('-');
                }
                out.push_str(&text);
            }
            None => {
                let d = Digits::new(x, None);
                d.fixed_form((d.len() - d.point).max(0), &mut out);
            }
        },
        _ => {
            let shortest = precision.is_none();
            let p = precision.map(|p| p.max(1));
            let d = Digits::new(x, p.map(|p| p - 1));
            let mut prec = p.map_or(d.len(), |p| p as i32);
            let mut eprec = prec;
            if eprec > d.len() && d.len() >= d.point {
                eprec = d.len();
            }
            if shortest {
                eprec = 6;
            }
            let exp = d.point - 1;
            let e = if verb == b'G' { b'E' } else { b'e' };
            if exp < -4 || exp >= eprec {
                prec = prec.min(d.len());
                d.exponent_form((prec - 1).max(0), e, &mut out);
            } else {
                if prec > d.point {
                    prec = d.len();
                }
                d.fixed_form((prec - d.point).max(0), &mut out);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_g_is_fmt_v() {
        let cases = [
            (97.1, "97.1"),
            (66.0, "66"),
            (0.0, "0"),
            (-0.0, "-0"),
            (123456.0, "123456"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (1e21, "1e+21"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (4.353729713606952, "4.353729713606952"),
            (-2.5e-300, "-2.5e-300"),
            (f64::INFINITY, "+Inf"),
            (f64::NAN, "NaN"),
        ];
        for (x, want) in cases {
            assert_eq!(format_float(x, b'g', None), want, "{x}");
        }
    }

    #[test]
    fn fixed_and_exponent_with_precision() {
        assert_eq!(format_float(66.0, b'f', Some(1)), "66.0");
        assert_eq!(format_float(0.125, b'f', Some(2)), "0.12");
        assert_eq!(format_float(-1.5, b'f', Some(0)), "-2");
        assert_eq!(format_float(95.5, b'f', Some(6)), "95.500000");
        assert_eq!(format_float(1234.5678, b'e', Some(6)), "1.234568e+03");
        assert_eq!(format_float(0.0, b'e', Some(2)), "0.00e+00");
        assert_eq!(format_float(1e100, b'E', Some(1)), "1.0E+100");
        assert_eq!(format_float(1234.5678, b'e', None), "1.2345678e+03");
        assert_eq!(format_float(1e-7, b'f', None), "0.0000001");
    }

    #[test]
    fn g_with_precision() {
        assert_eq!(format_float(1234.5678, b'g', Some(3)), "1.23e+03");
        assert_eq!(format_float(1234.5678, b'g', Some(6)), "1234.57");
        assert_eq!(format_float(100.0, b'g', Some(3)), "100");
        assert_eq!(format_float(0.000012345, b'g', Some(2)), "1.2e-05");
        assert_eq!(format_float(1.0, b'g', Some(0)), "1");
    }
}
