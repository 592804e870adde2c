//! Go's `fmt` over template values: `Sprint`, `Sprintln`, `Sprintf` with Go's verbs, flags,
//! widths and precisions, and Go's way of reporting a bad verb (`%!d(float64=91)`), a
//! missing operand (`%!d(MISSING)`) or extra ones (`%!(EXTRA int=1)`).

use super::gofloat::format_float;
use super::gotime::{duration_string, time_string};
use super::value::Value;

/// Widths and precisions above this are refused, as Go does, so a format cannot make the
/// output arbitrarily large.
const MAX_WIDTH: usize = 1_000_000;

/// The flags, width and precision of one verb.
#[derive(Debug, Clone, Copy, Default)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// `%v` of a value, as `fmt.Sprint` prints a single operand.
pub fn display(v: &Value) -> String {
    let mut out = String::new();
    write_arg(&mut out, v, 'v', &Spec::default());
    out
}

/// `fmt.Sprint`: operands side by side, with a space between two operands when neither is
/// a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        write_arg(&mut out, arg, 'v', &Spec::default());
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln`: operands separated by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_arg(&mut out, arg, 'v', &Spec::default());
    }
    out.push('\n');
    out
}

/// `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next_arg = 0usize;
    let mut reordered = false;
    let mut chars = format.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '#' => spec.sharp = true,
                '0' => spec.zero = !spec.minus,
                '+' => spec.plus = true,
                '-' => {
                    spec.minus = true;
                    spec.zero = false;
                }
                ' ' => spec.space = true,
                _ => break,
            }
            chars.next();
        }
        let mut good_index = true;
        // An explicit operand index: %[2]d.
        let mut take_index = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
                              next_arg: &mut usize| {
            if chars.peek().map(|&(_, c)| c) != Some('[') {
                return;
            }
            chars.next();
            reordered = true;
            let mut n = 0usize;
            let mut ok = false;
            while let Some(&(_, d)) = chars.peek() {
                chars.next();
                match d.to_digit(10) {
                    Some(d) => {
                        n = n.saturating_mul(10).saturating_add(d as usize);
                        ok = true;
                    }
                    None => {
                        ok &= d == ']';
                        break;
                    }
                }
            }
            if ok && n >= 1 && n <= args.len() {
                *next_arg = n - 1;
            } else {
                good_index = false;
            }
        };
        take_index(&mut chars, &mut next_arg);
        let mut bad_width = false;
        if chars.peek().map(|&(_, c)| c) == Some('*') {
            chars.next();
            match args.get(next_arg).and_then(int_operand) {
                Some(w) if w.unsigned_abs() <= MAX_WIDTH as u64 => {
                    if w < 0 {
                        spec.minus = true;
                        spec.zero = false;
                    }
                    spec.width = Some(w.unsigned_abs() as usize);
                }
                _ => bad_width = true,
            }
            next_arg += 1;
        } else {
            spec.width = parse_num(&mut chars);
        }
        if bad_width || spec.width.is_some_and(|w| w > MAX_WIDTH) {
            out.push_str("%!(BADWIDTH)");
            spec.width = None;
        }
        if chars.peek().map(|&(_, c)| c) == Some('.') {
            chars.next();
            take_index(&mut chars, &mut next_arg);
            if chars.peek().map(|&(_, c)| c) == Some('*') {
                chars.next();
                match args.get(next_arg).and_then(int_operand) {
                    Some(p) if (0..=MAX_WIDTH as i64).contains(&p) => {
                        spec.precision = Some(p as usize)
                    }
                    _ => out.push_str("%!(BADPREC)"),
                }
                next_arg += 1;
            } else {
                spec.precision = Some(parse_num(&mut chars).unwrap_or(0));
            }
            if spec.precision.is_some_and(|p| p > MAX_WIDTH) {
                out.push_str("%!(BADPREC)");
                spec.precision = None;
            }
        }
        take_index(&mut chars, &mut next_arg);
        let Some((_, verb)) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !good_index {
            out.push_str(&format!("%!{verb}(BADINDEX)"));
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next_arg += 1;
        if verb == 'T' {
            pad(&mut out, arg.type_name(), &spec);
        } else {
            write_arg(&mut out, arg, verb, &spec);
        }
    }
    if !reordered && next_arg < args.len() {
        out.push_str("%!(EXTRA ");
        for (i, arg) in args.iter().enumerate().skip(next_arg) {
            if i > next_arg {
                out.push_str(", ");
            }
            match arg {
                Value::Nil => out.push_str("<nil>"),
                _ => {
                    out.push_str(arg.type_name());
                    out.push('=');
                    write_arg(&mut out, arg, 'v', &Spec::default());
                }
            }
        }
        out.push(')');
    }
    out
}

fn int_operand(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) | Value::Int64(i) => Some(*i),
        _ => None,
    }
}

fn parse_num(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|&(_, c)| c.to_digit(10)) {
        chars.next();
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
    }
    n
}

/// One top-level operand.
fn write_arg(out: &mut String, v: &Value, verb: char, spec: &Spec) {
    match v {
        Value::Nil => match verb {
            'v' => pad(out, "<nil>", spec),
            _ => bad_verb(out, v, verb),
        },
        _ => write_value(out, v, verb, spec),
    }
}

/// A value at any depth (inside a map or struct a nil prints bare as `<nil>`).
fn write_value(out: &mut String, v: &Value, verb: char, spec: &Spec) {
    match v {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => match verb {
            'v' | 't' => pad(out, if *b { "true" } else { "false" }, spec),
            _ => bad_verb(out, v, verb),
        },
        Value::Int(i) | Value::Int64(i) => write_int(out, v, *i, verb, spec),
        Value::Float(f) => write_float(out, v, *f, verb, spec),
        Value::String(s) => write_str(out, v, s, verb, spec),
        Value::Duration(d) => match verb {
            'v' | 's' | 'q' | 'x' | 'X' => write_str(out, v, &duration_string(*d), verb, spec),
            _ => write_int(out, v, *d, verb, spec),
        },
        Value::Time(t) => match verb {
            'v' | 's' | 'q' | 'x' | 'X' => write_str(out, v, &time_string(*t), verb, spec),
            _ => bad_verb(out, v, verb),
        },
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, val)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_value(out, &Value::string(k), verb, spec);
                out.push(':');
                write_value(out, val, verb, spec);
            }
            out.push(']');
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_value(out, item, verb, spec);
            }
            out.push(']');
        }
        Value::Struct(s) => {
            out.push('{');
            for (i, field) in s.fields.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                if spec.plus && verb == 'v' {
                    out.push_str(field.name);
                    out.push(':');
                }
                write_value(out, &field.value, verb, spec);
            }
            out.push('}');
        }
    }
}

/// `%!d(float64=91)`: the verb does not suit the operand.
fn bad_verb(out: &mut String, v: &Value, verb: char) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    match v {
        Value::Nil => out.push_str("<nil>"),
        _ => {
            out.push_str(v.type_name());
            out.push('=');
            write_value(out, v, 'v', &Spec::default());
        }
    }
    out.push(')');
}

/// Pads to the width with spaces (or zeros with the `0` flag), counting characters.
fn pad(out: &mut String, s: &str, spec: &Spec) {
    let len = s.chars().count();
    let fill = spec.width.unwrap_or(0).saturating_sub(len);
    if spec.minus {
        out.push_str(s);
        out.push_str(&" ".repeat(fill));
    } else {
        out.push_str(&(if spec.zero { "0" } else { " " }).repeat(fill));
        out.push_str(s);
    }
}

fn sign(negative: bool, spec: &Spec) -> &'static str {
    match (negative, spec.plus, spec.space) {
        (true, _, _) => "-",
        (false, true, _) => "+",
        (false, false, true) => " ",
        _ => "",
    }
}

fn write_int(out: &mut String, v: &Value, i: i64, verb: char, spec: &Spec) {
    let magnitude = i.unsigned_abs();
    let (digits, prefix) = match verb {
        'v' | 'd' => (magnitude.to_string(), ""),
        'b' => (format!("{magnitude:b}"), if spec.sharp { "0b" } else { "" }),
        'o' => (format!("{magnitude:o}"), if spec.sharp { "0" } else { "" }),
        'O' => (format!("{magnitude:o}"), "0o"),
        'x' => (format!("{magnitude:x}"), if spec.sharp { "0x" } else { "" }),
        'X' => (format!("{magnitude:X}"), if spec.sharp { "0X" } else { "" }),
        'c' => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            return pad(out, c.encode_utf8(&mut [0; 4]), spec);
        }
        'q' => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            return pad(out, &quote_char(c), spec);
        }
        'U' => {
            let mut s = format!("U+{magnitude:04X}");
            if spec.sharp
                && let Some(c) = u32::try_from(i).ok().and_then(char::from_u32)
            {
                s.push_str(&format!(" '{c}'"));
            }
            return pad(out, &s, spec);
        }
        _ => return bad_verb(out, v, verb),
    };
    let sign = sign(i < 0, spec);
    // Precision is a minimum digit count; a zero value with precision 0 prints nothing.
    let mut body = match spec.precision {
        Some(0) if magnitude == 0 => String::new(),
        Some(p) => format!("{digits:0>p$}"),
        None => digits,
    };
    if spec.precision.is_none()
        && spec.zero
        && !spec.minus
        && let Some(w) = spec.width
    {
        let room = w.saturating_sub(sign.len() + prefix.len());
        body = format!("{body:0>room$}");
    }
    let text = format!("{sign}{prefix}{body}");
    pad(
        out,
        &text,
        &Spec {
            zero: false,
            ..*spec
        },
    );
}

fn write_float(out: &mut String, v: &Value, f: f64, verb: char, spec: &Spec) {
    let (conv, default_precision) = match verb {
        'v' => (b'g', None),
        'g' | 'G' => (verb as u8, None),
        'e' | 'E' | 'f' => (verb as u8, Some(6)),
        'F' => (b'f', Some(6)),
        _ => return bad_verb(out, v, verb),
    };
    let precision = spec.precision.or(default_precision);
    let text = format_float(f, conv, precision);
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    // Infinities keep their sign (+Inf) like Go; they are never zero-padded.
    if f.is_infinite() || f.is_nan() {
        let shown = if f.is_nan() && !spec.plus && !spec.space {
            "NaN".to_owned()
        } else if f.is_nan() {
            format!("{}NaN", sign(false, spec))
        } else if negative {
            "-Inf".to_owned()
        } else if spec.space && !spec.plus {
            " Inf".to_owned()
        } else {
            "+Inf".to_owned()
        };
        return pad(
            out,
            &shown,
            &Spec {
                zero: false,
                ..*spec
            },
        );
    }
    let sign = sign(negative, spec);
    if spec.zero
        && !spec.minus
        && let Some(w) = spec.width
    {
        let room = w.saturating_sub(sign.len());
        out.push_str(sign);
        out.push_str(&format!("{body:0>room$}"));
        return;
    }
    pad(out, &format!("{sign}{body}"), spec);
}

fn write_str(out: &mut String, v: &Value, s: &str, verb: char, spec: &Spec) {
    let truncated: &str = match spec.precision {
        Some(p) => s.char_indices().nth(p).map_or(s, |(i, _)| &s[..i]),
        None => s,
    };
    match verb {
        'v' | 's' => pad(out, truncated, spec),
        'q' => {
            let quoted = if spec.sharp
                && !truncated.contains('`')
                && !truncated.chars().any(char::is_control)
            {
                format!("`{truncated}`")
            } else {
                quote_str(truncated)
            };
            pad(out, &quoted, spec);
        }
        'x' | 'X' => {
            let mut hex = String::new();
            for (i, b) in truncated.bytes().enumerate() {
                if spec.space && i > 0 {
                    hex.push(' ');
                }
                if spec.sharp && (spec.space || i == 0) {
                    hex.push_str(if verb == 'x' { "0x" } else { "0X" });
                }
                hex.push_str(&if verb == 'x' {
                    format!("{b:02x}")
                } else {
                    format!("{b:02X}")
                });
            }
            pad(out, &hex, spec);
        }
        _ => bad_verb(out, v, verb),
    }
}

/// Go's `strconv.Quote`.
pub fn quote_str(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        push_escaped(&mut q, c, '"');
    }
    q.push('"');
    q
}

fn quote_char(c: char) -> String {
    let mut q = String::from('\'');
    push_escaped(&mut q, c, '\'');
    q.push('\'');
    q
}

fn push_escaped(q: &mut String, c: char, quote: char) {
    match c {
        c if c == quote => {
            q.push('\\');
            q.push(c);
        }
        '\\' => q.push_str("\\\\"),
        '\u{7}' => q.push_str("\\a"),
        '\u{8}' => q.push_str("\\b"),
        '\u{c}' => q.push_str("\\f"),
        '\n' => q.push_str("\\n"),
        '\r' => q.push_str("\\r"),
        '\t' => q.push_str("\\t"),
        '\u{b}' => q.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => q.push_str(&format!("\\x{:02x}", c as u32)),
        c if c.is_control() => {
            if (c as u32) < 0x10000 {
                q.push_str(&format!("\\u{:04x}", c as u32));
            } else {
                q.push_str(&format!("\\U{:08x}", c as u32));
            }
        }
        c => q.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::super::value::{MapElem, MapValue, StructValue};
    use super::*;

    fn f(format: &str, args: &[Value]) -> String {
        sprintf(format, args)
    }

    #[test]
    fn verbs_on_numbers() {
        assert_eq!(f("%.1f", &[Value::Float(66.0)]), "66.0");
        assert_eq!(f("%05d", &[Value::Int64(66)]), "00066");
        assert_eq!(f("%05d", &[Value::Int64(-66)]), "-0066");
        assert_eq!(f("%d", &[Value::Float(91.0)]), "%!d(float64=91)");
        assert_eq!(
            f(
                "%0.3f|%.2f|%8.3f|%-8.2f|",
                &[
                    Value::Float(1.0 / 3.0),
                    Value::Float(2.005),
                    Value::Float(-7.12345),
                    Value::Float(2.5)
                ]
            ),
            "0.333|2.00|  -7.123|2.50    |"
        );
        assert_eq!(
            f(
                "%x %X %o %b %#x",
                &[
                    Value::Int(255),
                    Value::Int(255),
                    Value::Int(8),
                    Value::Int(5),
                    Value::Int(255)
                ]
            ),
            "ff FF 10 101 0xff"
        );
        assert_eq!(
            f(
                "%+d % d %5d|%-5d|",
                &[Value::Int(3), Value::Int(3), Value::Int(42), Value::Int(42)]
            ),
            "+3  3    42|42   |"
        );
        assert_eq!(
            f(
                "%.3d %c %q %U",
                &[
                    Value::Int(7),
                    Value::Int(65),
                    Value::Int(65),
                    Value::Int(65)
                ]
            ),
            "007 A 'A' U+0041"
        );
        assert_eq!(
            f(
                "%e %g %G %v",
                &[
                    Value::Float(1234.5678),
                    Value::Float(1e21),
                    Value::Float(1e-7),
                    Value::Float(97.1)
                ]
            ),
            "1.234568e+03 1e+21 1E-07 97.1"
        );
        assert_eq!(
            f("%08.2f|%+.1f", &[Value::Float(-3.5), Value::Float(2.0)]),
            "-0003.50|+2.0"
        );
        assert_eq!(
            f(
                "%v %f",
                &[Value::Float(f64::INFINITY), Value::Float(f64::NEG_INFINITY)]
            ),
            "+Inf -Inf"
        );
    }

    #[test]
    fn verbs_on_strings_and_others() {
        assert_eq!(
            f(
                "%s|%q|%x|%5s|%-5s|%.2s",
                &[
                    Value::string("a\"b"),
                    Value::string("a\"b\n"),
                    Value::string("hi"),
                    Value::string("ab"),
                    Value::string("ab"),
                    Value::string("héllo")
                ]
            ),
            "a\"b|\"a\\\"b\\n\"|6869|   ab|ab   |hé"
        );
        assert_eq!(
            f(
                "%t %v %s",
                &[Value::Bool(true), Value::Bool(false), Value::Bool(true)]
            ),
            "true false %!s(bool=true)"
        );
        assert_eq!(
            f(
                "%v %s %d",
                &[
                    Value::Duration(1_500_000_000),
                    Value::Duration(60_000_000_000),
                    Value::Duration(5)
                ]
            ),
            "1.5s 1m0s 5"
        );
        assert_eq!(
            f("%v", &[Value::Time(1_700_000_006_000_000_000)]),
            "2023-11-14 22:13:26 +0000 UTC"
        );
        assert_eq!(
            f("%v %d %s", &[Value::Nil, Value::Nil, Value::Nil]),
            "<nil> %!d(<nil>) %!s(<nil>)"
        );
        assert_eq!(
            f(
                "%T %T %T",
                &[Value::Int64(1), Value::Float(1.0), Value::string("")]
            ),
            "int64 float64 string"
        );
    }

    #[test]
    fn argument_errors() {
        assert_eq!(f("%d %d", &[Value::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(
            f("%d", &[Value::Int(1), Value::string("x"), Value::Nil]),
            "1%!(EXTRA string=x, <nil>)"
        );
        assert_eq!(f("100%%", &[]), "100%");
        assert_eq!(f("%", &[]), "%!(NOVERB)");
        assert_eq!(f("%[2]d %[1]d", &[Value::Int(1), Value::Int(2)]), "2 1");
        assert_eq!(f("%[3]d", &[Value::Int(1)]), "%!d(BADINDEX)");
        assert_eq!(
            f(
                "%*d|%.*f",
                &[
                    Value::Int(4),
                    Value::Int(7),
                    Value::Int(1),
                    Value::Float(2.25)
                ]
            ),
            "   7|2.2"
        );
        assert_eq!(f("%9999999d", &[Value::Int(1)]), "%!(BADWIDTH)1");
    }

    #[test]
    fn composite_values() {
        let m = Value::from(MapValue::new(
            "models.Fields",
            MapElem::Any,
            [
                ("v".into(), Value::Float(95.5)),
                ("n".into(), Value::Int64(95)),
                ("s".into(), Value::string("down")),
                ("z".into(), Value::Nil),
            ],
        ));
        assert_eq!(display(&m), "map[n:95 s:down v:95.5 z:<nil>]");
        let s = Value::from(
            StructValue::new("x.T")
                .embed(StructValue::new("x.In").field("A", "a"))
                .field("B", Value::Duration(0)),
        );
        assert_eq!(display(&s), "{{a} 0s}");
        assert_eq!(f("%+v", &[s]), "{In:{A:a} B:0s}");
        assert_eq!(
            display(&Value::List(vec![Value::Int(1), Value::string("x")].into())),
            "[1 x]"
        );
    }

    #[test]
    fn sprint_spacing() {
        assert_eq!(
            sprint(&[
                Value::Int(1),
                Value::Int(2),
                Value::string("a"),
                Value::Int(3),
                Value::string("b"),
                Value::string("c")
            ]),
            "1 2a3bc"
        );
        assert_eq!(sprintln(&[Value::string("a"), Value::Int(1)]), "a 1\n");
        assert_eq!(sprint(&[]), "");
    }
}
