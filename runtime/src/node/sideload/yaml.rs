//! The values of a YAML sideload file, typed as Kapacitor 1.5.7 types them. Kapacitor reads
//! YAML with go-yaml v2 (YAML 1.1 rules for plain scalars: `yes`/`no`/`on`/`off` are booleans,
//! `0x1f` and `017` are integers, `~` is null; keys too, so a plain `on:` key is `true`) and
//! passes the result through JSON, so every number ends up a float and a value that is
//! infinite or not a number makes the file unreadable. Quoted and block scalars are strings; `!!str` makes a plain one a string too.
//!
//! The file holds one document, a map; a nested map or list is a value that converts to
//! nothing. Anchors, aliases and merge keys (`<<: *defaults`) work as in go-yaml; only the
//! first document of the file is read.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::source::SideValue;

/// How deep merge keys may reach through maps that merge other maps.
const MAX_MERGE_DEPTH: usize = 64;

/// Why a YAML file cannot be read, and on which line (from 1).
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The key → value map of the first document of `text`; an empty document holds no keys.
pub fn read_yaml(text: &str) -> Result<HashMap<String, SideValue>, YamlError> {
    match first_document(text)? {
        None => Ok(HashMap::new()),
        Some(root) => match &*root {
            Node::Scalar(scalar) if scalar.value == Scalar::Null => Ok(HashMap::new()),
            Node::Mapping(entries) => {
                let mut values = HashMap::new();
                insert_entries(&mut values, &entries.value, 0)?;
                Ok(values)
            }
            other => Err(YamlError {
                line: other.line(),
                message: "the document must be a map of keys to values".to_owned(),
            }),
        },
    }
}

/// A scalar as go-yaml resolves it.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Null,
    Bool(bool),
    /// Both of go-yaml's integer kinds: `i64` and, past its range, `u64`.
    Int(i128),
    Float(f64),
    String(String),
    /// A plain `<<`: as a key, it merges maps into the one holding it.
    Merge,
}

#[derive(Debug)]
enum Node {
    Scalar(Located<Scalar>),
    Mapping(Located<Vec<(Rc<Node>, Rc<Node>)>>),
    Sequence(Located<Vec<Rc<Node>>>),
}

#[derive(Debug)]
struct Located<T> {
    value: T,
    line: usize,
}

impl Node {
    fn line(&self) -> usize {
        match self {
            Node::Scalar(s) => s.line,
            Node::Mapping(m) => m.line,
            Node::Sequence(s) => s.line,
        }
    }
}

/// A collection being read, with the anchor it will be known by.
enum Open {
    Mapping { anchor: usize, line: usize, entries: Vec<(Rc<Node>, Rc<Node>)>, key: Option<Rc<Node>> },
    Sequence { anchor: usize, line: usize, items: Vec<Rc<Node>> },
}

/// The root node of the first document (none in an empty stream). Built without recursion
/// (nesting is as deep as the input), and an alias shares its anchor's node rather than copying
/// it, so memory stays proportional to the text.
fn first_document(text: &str) -> Result<Option<Rc<Node>>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut anchors: HashMap<usize, Rc<Node>> = HashMap::new();
    let mut open: Vec<Open> = Vec::new();
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            line: e.marker().line(),
            message: e.info().to_owned(),
        })?;
        let (node, anchor) = match event {
            Event::StreamEnd | Event::DocumentEnd => return Ok(None),
            Event::Scalar(text, style, anchor, tag) => {
                let value = Located { value: scalar(text, style, tag.as_ref()), line: line(mark) };
                (Rc::new(Node::Scalar(value)), anchor)
            }
            Event::Alias(anchor) => {
                let node = anchors.get(&anchor).cloned().ok_or_else(|| YamlError {
                    line: line(mark),
                    message: "an alias to an unknown anchor".to_owned(),
                })?;
                (node, 0)
            }
            Event::MappingStart(anchor, _) => {
                open.push(Open::Mapping { anchor, line: line(mark), entries: Vec::new(), key: None });
                continue;
            }
            Event::SequenceStart(anchor, _) => {
                open.push(Open::Sequence { anchor, line: line(mark), items: Vec::new() });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match open.pop() {
                Some(Open::Mapping { anchor, line, entries, .. }) => {
                    (Rc::new(Node::Mapping(Located { value: entries, line })), anchor)
                }
                Some(Open::Sequence { anchor, line, items }) => {
                    (Rc::new(Node::Sequence(Located { value: items, line })), anchor)
                }
                None => continue,
            },
            Event::Nothing | Event::StreamStart | Event::DocumentStart => continue,
        };
        // Anchor ids start at 1; 0 is none.
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match open.last_mut() {
            None => return Ok(Some(node)),
            Some(Open::Sequence { items, .. }) => items.push(node),
            Some(Open::Mapping { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

fn line(mark: Marker) -> usize {
    mark.line()
}

/// A scalar's value: only plain scalars are resolved, unless tagged `!!str`.
fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Scalar {
    let string_tag = tag.is_some_and(|t| {
        matches!(t.handle.as_str(), "!!" | "tag:yaml.org,2002:") && matches!(t.suffix.as_str(), "str" | "binary")
    });
    if style != TScalarStyle::Plain || string_tag {
        return Scalar::String(text);
    }
    resolve_plain(text)
}

/// go-yaml v2's resolution of a plain scalar: a few words, then by the first character a
/// number or a string.
fn resolve_plain(text: String) -> Scalar {
    let word = match text.as_str() {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(Scalar::Bool(true)),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(Scalar::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => Some(Scalar::Null),
        ".nan" | ".NaN" | ".NAN" => Some(Scalar::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some(Scalar::Float(f64::INFINITY)),
        "-.inf" | "-.Inf" | "-.INF" => Some(Scalar::Float(f64::NEG_INFINITY)),
        "<<" => Some(Scalar::Merge),
        _ => None,
    };
    if let Some(word) = word {
        return word;
    }
    let number = match text.as_bytes().first() {
        Some(b'.') => text.parse().ok().map(Scalar::Float),
        Some(b'0'..=b'9' | b'+' | b'-') => {
            let plain = text.replace('_', "");
            go_int(&plain).map(Scalar::Int).or_else(|| go_float(&plain).map(Scalar::Float))
        }
        _ => None,
    };
    number.unwrap_or(Scalar::String(text))
}

/// An integer as Go's `strconv.ParseInt(s, 0, 64)` (or `ParseUint`) reads it: an optional
/// sign, then `0x`, `0o`, `0b` or a leading `0` (octal) for the base.
fn go_int(text: &str) -> Option<i128> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    // `from_str_radix` takes a sign of its own; Go does not after the prefix.
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    let value = if negative { -i128::from(magnitude) } else { i128::from(magnitude) };
    // A negative number must fit an i64 (`ParseUint` refuses signs).
    (value >= i128::from(i64::MIN)).then_some(value)
}

/// A float as Go's `strconv.ParseFloat` reads the decimal forms (hexadecimal mantissas aside).
fn go_float(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    // Rust would also read `nan` after a sign, and `infinity`: so does Go, except signed NaN.
    if unsigned.eq_ignore_ascii_case("nan") && unsigned.len() != text.len() {
        return None;
    }
    text.parse().ok()
}

/// Adds a map's entries to `values`, in order (a later key replaces an earlier one), merge
/// keys merging their maps where they stand.
fn insert_entries(
    values: &mut HashMap<String, SideValue>,
    entries: &[(Rc<Node>, Rc<Node>)],
    depth: usize,
) -> Result<(), YamlError> {
    if depth > MAX_MERGE_DEPTH {
        let line = entries.first().map_or(0, |(k, _)| k.line());
        return Err(YamlError { line, message: "merge keys nest too deep".to_owned() });
    }
    for (key, value) in entries {
        if matches!(&**key, Node::Scalar(s) if s.value == Scalar::Merge) {
            merge(values, value, depth)?;
        } else {
            values.insert(key_text(key)?, side_value(value)?);
        }
    }
    Ok(())
}

/// `<<: *map` or `<<: [*a, *b]`, where earlier maps of the list win.
fn merge(values: &mut HashMap<String, SideValue>, value: &Node, depth: usize) -> Result<(), YamlError> {
    let not_a_map = || YamlError {
        line: value.line(),
        message: "a merge key (<<) needs a map or a list of maps".to_owned(),
    };
    match value {
        Node::Mapping(m) => insert_entries(values, &m.value, depth + 1),
        Node::Sequence(s) => s.value.iter().rev().try_for_each(|item| match &**item {
            Node::Mapping(m) => insert_entries(values, &m.value, depth + 1),
            _ => Err(not_a_map()),
        }),
        Node::Scalar(_) => Err(not_a_map()),
    }
}

/// A key as text, the way Kapacitor turns YAML keys into JSON's string keys.
fn key_text(key: &Node) -> Result<String, YamlError> {
    let unsupported = |what: &str| YamlError { line: key.line(), message: format!("a key cannot be {what}") };
    match key {
        Node::Scalar(s) => match &s.value {
            Scalar::String(text) => Ok(text.clone()),
            Scalar::Int(i) => Ok(i.to_string()),
            Scalar::Float(f) => Ok(go_float32_key(*f)),
            Scalar::Bool(b) => Ok(b.to_string()),
            Scalar::Merge => Ok("<<".to_owned()),
            Scalar::Null => Err(unsupported("null")),
        },
        Node::Mapping(_) => Err(unsupported("a map")),
        Node::Sequence(_) => Err(unsupported("a list")),
    }
}

/// A float key as go-yaml prints it (Go's `%g` at 32-bit precision, shortest digits).
fn go_float32_key(value: f64) -> String {
    if value.is_nan() {
        return ".nan".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let single = value as f32;
    let scientific = format!("{single:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..6).contains(&exponent) {
        format!("{single}")
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    }
}

/// A value as Kapacitor holds it after its trip through JSON.
fn side_value(node: &Node) -> Result<SideValue, YamlError> {
    match node {
        Node::Scalar(s) => Ok(match &s.value {
            Scalar::Null => SideValue::Null,
            Scalar::Bool(b) => SideValue::Bool(*b),
            Scalar::Int(i) => SideValue::Float(*i as f64),
            Scalar::Float(f) if f.is_finite() => SideValue::Float(*f),
            Scalar::Float(_) => {
                return Err(YamlError {
                    line: s.line,
                    message: "an infinite or not-a-number value cannot be sideloaded".to_owned(),
                });
            }
            Scalar::String(text) => SideValue::String(text.clone()),
            Scalar::Merge => SideValue::String("<<".to_owned()),
        }),
        Node::Mapping(_) | Node::Sequence(_) => Ok(SideValue::Nested),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, SideValue)> {
        let mut values: Vec<_> = read_yaml(text).unwrap().into_iter().collect();
        values.sort_by(|a, b| a.0.cmp(&b.0));
        values
    }

    fn one(text: &str) -> SideValue {
        read_yaml(&format!("k: {text}\n")).unwrap().remove("k").unwrap()
    }

    #[test]
    fn plain_scalars_are_typed_as_go_yaml_v2_types_them() {
        let float = SideValue::Float;
        let string = |s: &str| SideValue::String(s.to_owned());
        let cases = [
            ("42", float(42.0)),
            ("-7", float(-7.0)),
            ("13.5", float(13.5)),
            (".5", float(0.5)),
            ("1e3", float(1000.0)),
            ("1_000", float(1000.0)),
            ("0x1F", float(31.0)),
            ("017", float(15.0)),
            ("0o17", float(15.0)),
            ("0b101", float(5.0)),
            ("-0b11", float(-3.0)),
            ("08", float(8.0)),
            ("18446744073709551615", float(18446744073709551615.0)),
            ("yes", SideValue::Bool(true)),
            ("On", SideValue::Bool(true)),
            ("n", SideValue::Bool(false)),
            ("FALSE", SideValue::Bool(false)),
            ("~", SideValue::Null),
            ("", SideValue::Null),
            ("Null", SideValue::Null),
            ("nope", string("nope")),
            ("yEs", string("yEs")),
            ("2001-12-14", string("2001-12-14")),
            ("1.2.3", string("1.2.3")),
            ("nan", string("nan")),
            ("'yes'", string("yes")),
            ("\"42\"", string("42")),
            ("!!str 42", string("42")),
            ("|\n  line\n", string("line\n")),
            ("[1, 2]", SideValue::Nested),
            ("{a: 1}", SideValue::Nested),
        ];
        for (text, want) in cases {
            assert_eq!(one(text), want, "{text:?}");
        }
    }

    #[test]
    fn only_the_top_level_map_holds_keys() {
        let text = "---\ncpu: 80\nnested:\n  inner: 1\nlist:\n  - a\n1: int key\ntrue: bool key\n1.5: float key\n1e7: big\n";
        insta::assert_snapshot!(format!("{:?}", values(text)), @r#"[("1", String("int key")), ("1.5", String("float key")), ("1e+07", String("big")), ("cpu", Float(80.0)), ("list", Nested), ("nested", Nested), ("true", String("bool key"))]"#);
        assert!(values("").is_empty());
        assert!(values("# nothing\n").is_empty());
        assert!(values("~\n").is_empty());
        // Only the first document counts; the second is not even read.
        assert_eq!(values("a: 1\n---\nb: [\n"), vec![("a".to_owned(), SideValue::Float(1.0))]);
        // Keys are resolved too: a plain `y`, `n`, `on` or `off` key is a boolean, so the
        // key Kapacitor finds is "true" or "false" (quote such keys).
        assert_eq!(values("on: 1\n'n': 2\n"), vec![("n".to_owned(), SideValue::Float(2.0)), ("true".to_owned(), SideValue::Float(1.0))]);
        // A later key replaces an earlier one, as go-yaml does outside strict mode.
        assert_eq!(values("a: 1\na: 2\n"), vec![("a".to_owned(), SideValue::Float(2.0))]);
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "base: &base\n  owner: ops\n  limit: 10\nother: &other {limit: 20, zone: b}\nx: &x 5\nz: *x\n<<: [*base, *other]\nlimit: 30\n";
        insta::assert_snapshot!(format!("{:?}", values(text)), @r#"[("base", Nested), ("limit", Float(30.0)), ("other", Nested), ("owner", String("ops")), ("x", Float(5.0)), ("z", Float(5.0)), ("zone", String("b"))]"#);
        // Earlier maps of a merge list win over later ones; explicit keys after it win over both.
        let merged = values("a: &a {k: 1}\nb: &b {k: 2}\n<<: [*a, *b]\n");
        assert!(merged.contains(&("k".to_owned(), SideValue::Float(1.0))), "{merged:?}");
    }

    #[test]
    fn bad_documents_say_which_line() {
        let error = |text: &str| read_yaml(text).unwrap_err().to_string();
        insta::assert_snapshot!(error("a: 1\nb: [1, 2\n"), @"line 3: while parsing a flow sequence, expected ',' or ']'");
        insta::assert_snapshot!(error("a: 1\nb: .inf\n"), @"line 2: an infinite or not-a-number value cannot be sideloaded");
        insta::assert_snapshot!(error("- a\n- b\n"), @"line 1: the document must be a map of keys to values");
        insta::assert_snapshot!(error("a: 1\n~: 2\n"), @"line 2: a key cannot be null");
        insta::assert_snapshot!(error("a: 1\n<<: 3\n"), @"line 2: a merge key (<<) needs a map or a list of maps");
        insta::assert_snapshot!(error("a: *nowhere\n"), @"line 1: while parsing node, found unknown anchor");
    }

    #[test]
    fn json_is_read_the_same_as_yaml() {
        let json = r#"{"f": 2, "s": "x", "b": true, "gone": null, "o": {"k": 1}}"#;
        let yaml = "f: 2\ns: x\nb: yes\ngone: ~\no:\n  k: 1\n";
        assert_eq!(values(json), values(yaml));
    }
}
