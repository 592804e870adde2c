//! The field set of a line (`value=1.5,count=3i,ok=t,msg="a \"b\""`) and its value types.
//!
//! Value rules are InfluxDB 1.x's: a value starting with a digit, `.`, `-`, `N` or `n` is a
//! number (`NaN` and `Inf` are not numbers: the first is an invalid number, the second an
//! invalid boolean), a quote starts a string, anything else must be a boolean. Beyond 1.x,
//! unsigned integers (`1u`) are accepted when they fit an `i64`.

use std::borrow::Cow;

use super::error::{LineError, LineErrorKind};
use super::escape::{NAME_ESCAPES, STRING_ESCAPES, unescape};
use super::field_names::{FieldNames, KnownName};
use crate::decimal::Decimal;
use crate::point::FieldValue;

/// A field's value, borrowing string contents from the line when they need no unescaping.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValueRef<'a> {
    Float(f64),
    Int(i64),
    String(Cow<'a, str>),
    Bool(bool),
}

impl FieldValueRef<'_> {
    pub fn into_owned(self) -> FieldValue {
        match self {
            FieldValueRef::Float(v) => FieldValue::Float(v),
            FieldValueRef::Int(v) => FieldValue::Int(v),
            FieldValueRef::String(v) => FieldValue::String(v.into_owned()),
            FieldValueRef::Bool(v) => FieldValue::Bool(v),
        }
    }
}

/// A value as written, classified by its first byte.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RawValue<'a> {
    /// Between the quotes, escapes unresolved.
    String(&'a [u8]),
    Number(&'a [u8]),
    Bool(&'a [u8]),
}

/// One field as written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawField<'a> {
    pub key: &'a [u8],
    pub value: RawValue<'a>,
}

/// Scans the field at `start`; returns it with the offset just past it (a `,`, a space or the
/// end of `line`).
pub(crate) fn scan_field(line: &[u8], start: usize) -> Result<(RawField<'_>, usize), LineError> {
    let key_end = scan_key(line, start)?;
    let (value, end) = scan_value(line, key_end + 1)?;
    let key = line.get(start..key_end).unwrap_or_default();
    Ok((RawField { key, value }, end))
}

/// Scans the key of the field at `start`; returns the offset of the `=` ending it.
fn scan_key(line: &[u8], start: usize) -> Result<usize, LineError> {
    let mut i = start;
    // In the field set a backslash always takes the next byte with it (`a\\=1` is key `a\\`).
    loop {
        match line.get(i) {
            None | Some(b',' | b' ') => return Err(LineError::new(LineErrorKind::InvalidFieldFormat, i)),
            Some(b'\\') => i += 2,
            Some(b'=') => break,
            Some(_) => i += 1,
        }
    }
    if i == start {
        return Err(LineError::new(LineErrorKind::MissingFieldKey, i));
    }
    Ok(i)
}

/// Scans the value at `value_start`; returns it with the offset just past it.
fn scan_value(line: &[u8], value_start: usize) -> Result<(RawValue<'_>, usize), LineError> {
    let err = |kind, at| Err(LineError::new(kind, at));
    match line.get(value_start) {
        None | Some(b',' | b' ') => err(LineErrorKind::MissingFieldValue, value_start),
        Some(b'"') => {
            let close = closing_quote(line, value_start + 1)
                .ok_or(LineError::new(LineErrorKind::UnbalancedQuotes, value_start))?;
            if !matches!(line.get(close + 1), None | Some(b',' | b' ')) {
                return err(LineErrorKind::TextAfterString, close + 1);
            }
            Ok((
                RawValue::String(line.get(value_start + 1..close).unwrap_or_default()),
                close + 1,
            ))
        }
        Some(&first) => {
            let end = (value_start..line.len())
                .find(|&j| matches!(line.get(j), Some(b',' | b' ')))
                .unwrap_or(line.len());
            let text = line.get(value_start..end).unwrap_or_default();
            let value = if first.is_ascii_digit() || matches!(first, b'.' | b'-' | b'N' | b'n') {
                RawValue::Number(text)
            } else {
                RawValue::Bool(text)
            };
            Ok((value, end))
        }
    }
}

/// Reads and decodes the value at `value_start`; returns it with the offset just past it. A
/// plain decimal, the usual value, is read in the same pass that finds its end.
#[inline]
fn read_value(line: &[u8], value_start: usize) -> Result<(FieldValueRef<'_>, usize), LineError> {
    if let Some((value, length)) = line.get(value_start..).and_then(plain_decimal_prefix) {
        let end = value_start + length;
        if matches!(line.get(end), None | Some(b',' | b' ')) {
            return Ok((FieldValueRef::Float(value), end));
        }
    }
    let (raw, end) = scan_value(line, value_start)?;
    let value = decode_value(raw).map_err(|kind| LineError::new(kind, value_start))?;
    Ok((value, end))
}

/// The offset of the quote that closes a string whose contents start at `from`.
fn closing_quote(line: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        match line.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
}

/// What receives the fields of a field set as they are checked: each value is decoded once,
/// by the check, and handed over with its key as written and, when the series' kept
/// [`FieldNames`] know the key, its name.
pub(crate) trait FieldSink<'a> {
    fn field(&mut self, key: &'a [u8], name: Option<KnownName<'_>>, value: FieldValueRef<'a>);
}

/// Checking only: the values are dropped.
impl FieldSink<'_> for () {
    fn field(&mut self, _: &[u8], _: Option<KnownName<'_>>, _: FieldValueRef<'_>) {}
}

/// Scans, checks and decodes every field of the field set at `start`, in order, into `sink`;
/// returns where the set ends. With a series' `names`, a key kept from its last line is
/// recognised by one comparison, and a key that differs is kept for the next line.
pub(crate) fn read_fields<'a>(
    line: &'a [u8],
    start: usize,
    mut names: Option<&mut FieldNames>,
    sink: &mut impl FieldSink<'a>,
) -> Result<usize, LineError> {
    let mut pos = start;
    let mut index = 0;
    loop {
        let known = names.as_deref().and_then(|names| names.recognise(index, line, pos));
        let key_end = match known {
            Some(length) => pos + length,
            None => scan_key(line, pos)?,
        };
        let key = line.get(pos..key_end).unwrap_or_default();
        if known.is_none()
            && let Some(names) = names.as_deref_mut()
        {
            names.learn(index, key);
        }
        let (value, end) = read_value(line, key_end + 1)?;
        sink.field(key, names.as_deref().and_then(|names| names.get(index)), value);
        index += 1;
        match line.get(end) {
            Some(b',') => pos = end + 1,
            _ => return Ok(end),
        }
    }
}

/// The typed value of a raw value.
pub(crate) fn decode_value(value: RawValue<'_>) -> Result<FieldValueRef<'_>, LineErrorKind> {
    match value {
        RawValue::String(raw) => Ok(FieldValueRef::String(unescape(raw, STRING_ESCAPES))),
        RawValue::Number(raw) => decode_number(raw),
        RawValue::Bool(raw) => decode_bool(raw).map(FieldValueRef::Bool),
    }
}

fn decode_bool(raw: &[u8]) -> Result<bool, LineErrorKind> {
    match raw {
        b"t" | b"T" | b"true" | b"True" | b"TRUE" => Ok(true),
        b"f" | b"F" | b"false" | b"False" | b"FALSE" => Ok(false),
        _ => Err(LineErrorKind::InvalidBoolean),
    }
}

fn decode_number(raw: &[u8]) -> Result<FieldValueRef<'_>, LineErrorKind> {
    match raw.split_last() {
        Some((b'i', digits)) => decode_signed(digits).map(FieldValueRef::Int),
        Some((b'u', digits)) => decode_unsigned(digits).map(FieldValueRef::Int),
        _ => decode_float(raw).map(FieldValueRef::Float),
    }
}

fn all_digits(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)
}

fn decode_signed(text: &[u8]) -> Result<i64, LineErrorKind> {
    if !all_digits(text.strip_prefix(b"-").unwrap_or(text)) {
        return Err(LineErrorKind::InvalidNumber);
    }
    // Only an overflow can fail now: the text is an optional minus and ASCII digits.
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or(LineErrorKind::IntegerOutOfRange)
}

fn decode_unsigned(text: &[u8]) -> Result<i64, LineErrorKind> {
    if !all_digits(text) {
        return Err(LineErrorKind::InvalidNumber);
    }
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse::<u64>().ok())
        .and_then(|v| i64::try_from(v).ok())
        .ok_or(LineErrorKind::UnsignedOutOfRange)
}

/// Checks the float syntax InfluxDB allows (digits, one `.`, an exponent; no `+` sign, no
/// `inf`/`nan`), then parses; a float beyond `f64` is an error, not infinity.
fn decode_float(text: &[u8]) -> Result<f64, LineErrorKind> {
    if let Some(value) = plain_decimal(text) {
        return Ok(value);
    }
    let mut seen_point = false;
    for (i, &b) in text.iter().enumerate() {
        let after_exponent_mark = i > 0 && matches!(text.get(i - 1), Some(b'e' | b'E'));
        match b {
            b'0'..=b'9' => {}
            b'.' if !seen_point => seen_point = true,
            b'e' | b'E' if i > 0 => {}
            b'-' if i == 0 => {}
            b'-' if after_exponent_mark => {}
            b'+' if after_exponent_mark => {}
            _ => return Err(LineErrorKind::InvalidNumber),
        }
    }
    let negative = text.first() == Some(&b'-');
    let sign_and_point = usize::from(negative) + usize::from(seen_point);
    if text.len() <= sign_and_point {
        return Err(LineErrorKind::InvalidNumber);
    }
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .ok_or(LineErrorKind::InvalidFloat)
}

/// A plain decimal (`-80.38`: an optional minus, digits, at most one point, no exponent) read
/// in one pass, when one division gives its value exactly (see [`Decimal::exact`]); `None`
/// for anything else, which the general parser then reads (or refuses).
fn plain_decimal(text: &[u8]) -> Option<f64> {
    plain_decimal_prefix(text).and_then(|(value, length)| (length == text.len()).then_some(value))
}

/// The plain decimal that `bytes` start with, and its length: it ends at the first byte that
/// cannot continue it. `None` when there is none, or its value needs the general parser.
fn plain_decimal_prefix(bytes: &[u8]) -> Option<(f64, usize)> {
    /// Digits a `u64` always holds.
    const MAX_DIGITS: usize = 19;
    let (sign, unsigned) = match bytes.split_first()? {
        (b'-', rest) => (1, rest),
        _ => (0, bytes),
    };
    let mut digits = 0_u64;
    let mut point = None;
    let mut length = 0;
    for &b in unsigned {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            // Wraps only past `MAX_DIGITS` digits, which are refused below.
            digits = digits.wrapping_mul(10).wrapping_add(u64::from(digit));
        } else if b == b'.' && point.is_none() {
            point = Some(length);
        } else {
            break;
        }
        length += 1;
    }
    let (count, fraction_digits) = match point {
        Some(at) => (length - 1, length - 1 - at),
        None => (length, 0),
    };
    if count == 0 || count > MAX_DIGITS {
        return None;
    }
    let decimal = Decimal { digits, fraction_digits: u32::try_from(fraction_digits).ok()? };
    let value = decimal.exact()?;
    Some((if sign == 1 { -value } else { value }, sign + length))
}

/// The fields of a checked field set, unescaped, in the order written (a repeated key appears
/// each time; the last one wins when building a point, as in InfluxDB).
#[derive(Clone)]
pub struct Fields<'a> {
    section: &'a [u8],
    pos: usize,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(section: &'a [u8]) -> Self {
        Fields { section, pos: 0 }
    }

    /// The next field as written, or `None` at the end.
    pub(crate) fn next_raw(&mut self) -> Option<RawField<'a>> {
        if self.pos >= self.section.len() {
            return None;
        }
        // The section was checked when the line was parsed, so scanning cannot fail here.
        let (field, end) = scan_field(self.section, self.pos).ok()?;
        self.pos = end + 1;
        Some(field)
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (Cow<'a, str>, FieldValueRef<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let field = self.next_raw()?;
        let value = decode_value(field.value).ok()?;
        Some((unescape(field.key, NAME_ESCAPES), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Result<FieldValueRef<'_>, LineErrorKind> {
        let (field, end) = scan_field(text.as_bytes(), 0).map_err(|e| e.kind)?;
        assert_eq!(end, text.len(), "{text}");
        decode_value(field.value)
    }

    fn fields(section: &str) -> Vec<(String, FieldValue)> {
        let end = read_fields(section.as_bytes(), 0, None, &mut ()).unwrap();
        Fields::new(&section.as_bytes()[..end])
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn plain_decimals_read_as_the_general_parser_reads_them(
            negative: bool,
            int in "[0-9]{1,17}",
            fraction in proptest::option::of("[0-9]{0,12}"),
        ) {
            let text = format!("{}{int}{}", if negative { "-" } else { "" }, fraction.map(|f| format!(".{f}")).unwrap_or_default());
            let expected: f64 = text.parse().unwrap();
            proptest::prop_assert_eq!(decode_float(text.as_bytes()).map(f64::to_bits), Ok(expected.to_bits()), "{}", text);
        }
    }

    #[test]
    fn numbers() {
        use FieldValueRef::{Float, Int};
        let ok = [
            ("v=1", Float(1.0)),
            ("v=1.5", Float(1.5)),
            ("v=1.", Float(1.0)),
            ("v=.5", Float(0.5)),
            ("v=-.5", Float(-0.5)),
            ("v=1e3", Float(1000.0)),
            ("v=1E3", Float(1000.0)),
            ("v=1.e3", Float(1000.0)),
            ("v=-1.5e-3", Float(-0.0015)),
            ("v=1e+3", Float(1000.0)),
            ("v=1e-400", Float(0.0)),
            ("v=007", Float(7.0)),
            ("v=1i", Int(1)),
            ("v=-5i", Int(-5)),
            ("v=007i", Int(7)),
            ("v=9223372036854775807i", Int(i64::MAX)),
            ("v=-9223372036854775808i", Int(i64::MIN)),
            ("v=1u", Int(1)),
            ("v=9223372036854775807u", Int(i64::MAX)),
        ];
        for (text, expected) in ok {
            assert_eq!(value(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn bad_numbers_match_influxdb() {
        use LineErrorKind::*;
        let bad = [
            ("v=1.2.3", InvalidNumber),
            ("v=1x", InvalidNumber),
            ("v=-", InvalidNumber),
            ("v=.", InvalidNumber),
            ("v=-.", InvalidNumber),
            ("v=1ii", InvalidNumber),
            ("v=1i5", InvalidNumber),
            ("v=-i", InvalidNumber),
            ("v=1.5i", InvalidNumber),
            ("v=1e5i", InvalidNumber),
            ("v=--5", InvalidNumber),
            ("v=1-5", InvalidNumber),
            ("v=NaN", InvalidNumber),
            ("v=nan", InvalidNumber),
            ("v=-Inf", InvalidNumber),
            ("v=-1u", InvalidNumber),
            ("v=1.5u", InvalidNumber),
            ("v=1e400", InvalidFloat),
            ("v=1e", InvalidFloat),
            ("v=-e5", InvalidFloat),
            ("v=1e5.5", InvalidFloat),
            ("v=9223372036854775808i", IntegerOutOfRange),
            ("v=-9223372036854775809i", IntegerOutOfRange),
            ("v=9223372036854775808u", UnsignedOutOfRange),
            ("v=18446744073709551616u", UnsignedOutOfRange),
            ("v=Inf", InvalidBoolean),
            ("v=inf", InvalidBoolean),
            ("v=+1", InvalidBoolean),
            ("v=abc", InvalidBoolean),
        ];
        for (text, expected) in bad {
            assert_eq!(value(text), Err(expected), "{text}");
        }
        let long = format!("v={}", "9".repeat(400));
        assert_eq!(value(&long), Err(InvalidFloat));
    }

    #[test]
    fn booleans() {
        for t in ["t", "T", "true", "True", "TRUE"] {
            assert_eq!(value(&format!("v={t}")), Ok(FieldValueRef::Bool(true)));
        }
        for f in ["f", "F", "false", "False", "FALSE"] {
            assert_eq!(value(&format!("v={f}")), Ok(FieldValueRef::Bool(false)));
        }
        for bad in ["tRuE", "yes", "tru", "truee", "FaLse"] {
            assert_eq!(value(&format!("v={bad}")), Err(LineErrorKind::InvalidBoolean), "{bad}");
        }
    }

    #[test]
    fn strings() {
        let s = |v: &str| Ok(FieldValueRef::String(Cow::Owned(v.to_owned())));
        assert_eq!(value(r#"v="""#), s(""));
        assert_eq!(value(r#"v="a, b=c d""#), s("a, b=c d"));
        assert_eq!(value(r#"v="a \"q\" b\\c \n d""#), s(r#"a "q" b\c \n d"#));
        assert_eq!(value("v=\"line1\nline2\""), s("line1\nline2"));
        assert_eq!(value(r#"v="x\""#).unwrap_err(), LineErrorKind::UnbalancedQuotes);
        assert_eq!(value(r#"v="abc"#).unwrap_err(), LineErrorKind::UnbalancedQuotes);
        assert_eq!(value(r#"v="abc"def"#).unwrap_err(), LineErrorKind::TextAfterString);
        assert!(matches!(
            value(r#"v="plain""#),
            Ok(FieldValueRef::String(Cow::Borrowed("plain")))
        ));
    }

    #[test]
    fn field_set_errors_match_influxdb() {
        let error = |section: &str| read_fields(section.as_bytes(), 0, None, &mut ()).unwrap_err();
        assert_eq!(error("value=").kind, LineErrorKind::MissingFieldValue);
        assert_eq!(error("value= 1").kind, LineErrorKind::MissingFieldValue);
        assert_eq!(error("a=1,b=,c=2").kind, LineErrorKind::MissingFieldValue);
        assert_eq!(error("=2").kind, LineErrorKind::MissingFieldKey);
        assert_eq!(error("a=1,=2").kind, LineErrorKind::MissingFieldKey);
        assert_eq!(error("value=2, 1").kind, LineErrorKind::InvalidFieldFormat);
        assert_eq!(error("value=2,").kind, LineErrorKind::InvalidFieldFormat);
        assert_eq!(error("a,b=1").kind, LineErrorKind::InvalidFieldFormat);
        assert_eq!(error("1700000001000000000").kind, LineErrorKind::InvalidFieldFormat);
        assert_eq!(error("").kind, LineErrorKind::InvalidFieldFormat);
        assert_eq!(error("a=1,b=1x"), LineError::new(LineErrorKind::InvalidNumber, 6));
    }

    #[test]
    fn field_sets_decode_in_order() {
        assert_eq!(
            fields(r#"b=t,f=1.5,i=1i,s="x y",k\ e\,y\=\"=2,"v"=3 17"#),
            vec![
                ("b".to_owned(), FieldValue::Bool(true)),
                ("f".to_owned(), FieldValue::Float(1.5)),
                ("i".to_owned(), FieldValue::Int(1)),
                ("s".to_owned(), FieldValue::String("x y".to_owned())),
                (r#"k e,y=""#.to_owned(), FieldValue::Float(2.0)),
                (r#""v""#.to_owned(), FieldValue::Float(3.0)),
            ]
        );
        assert_eq!(fields(r"a\\=1"), vec![(r"a\\".to_owned(), FieldValue::Float(1.0))]);
    }
}
