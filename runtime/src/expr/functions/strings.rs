//! The string builtins, with the semantics of Go's `strings` package: indexes and lengths count
//! bytes, "any" functions look for any character of a set, and `-1` means not found.

use std::borrow::Cow;

use super::{Body, CallError, Function, sig};
use crate::expr::error::EvalError;
use crate::expr::value::{Type, Value};

pub static STR_CONTAINS: Function =
    Function::new("strContains", Body::StrStrBool(|s, sub| s.contains(sub)));
pub static STR_CONTAINS_ANY: Function = Function::new(
    "strContainsAny",
    Body::StrStrBool(|s, chars| chars.chars().any(|c| s.contains(c))),
);
pub static STR_COUNT: Function = Function::new("strCount", Body::StrStrInt(count));
pub static STR_HAS_PREFIX: Function = Function::new(
    "strHasPrefix",
    Body::StrStrBool(|s, prefix| s.starts_with(prefix)),
);
pub static STR_HAS_SUFFIX: Function = Function::new(
    "strHasSuffix",
    Body::StrStrBool(|s, suffix| s.ends_with(suffix)),
);
pub static STR_INDEX: Function =
    Function::new("strIndex", Body::StrStrInt(|s, sub| position(s.find(sub))));
pub static STR_INDEX_ANY: Function = Function::new(
    "strIndexAny",
    Body::StrStrInt(|s, chars| {
        position(
            s.char_indices()
                .find(|(_, c)| chars.contains(*c))
                .map(|(i, _)| i),
        )
    }),
);
pub static STR_LAST_INDEX: Function = Function::new(
    "strLastIndex",
    Body::StrStrInt(|s, sub| position(s.rfind(sub))),
);
pub static STR_LAST_INDEX_ANY: Function = Function::new(
    "strLastIndexAny",
    Body::StrStrInt(|s, chars| {
        position(
            s.char_indices()
                .rev()
                .find(|(_, c)| chars.contains(*c))
                .map(|(i, _)| i),
        )
    }),
);
pub static STR_LENGTH: Function = Function::new(
    "strLength",
    Body::Custom {
        signatures: &[sig(&[Type::String], Type::Int)],
        call: length,
    },
);
pub static STR_REPLACE: Function = Function::new(
    "strReplace",
    Body::Custom {
        signatures: &[sig(
            &[Type::String, Type::String, Type::String, Type::Int],
            Type::String,
        )],
        call: replace,
    },
);
pub static STR_SUBSTRING: Function = Function::new(
    "strSubstring",
    Body::Custom {
        signatures: &[sig(&[Type::String, Type::Int, Type::Int], Type::String)],
        call: substring,
    },
);
pub static STR_TO_LOWER: Function = Function::new(
    "strToLower",
    Body::StrMap(|s| map_chars(s, char::to_lowercase)),
);
pub static STR_TO_UPPER: Function = Function::new(
    "strToUpper",
    Body::StrMap(|s| map_chars(s, char::to_uppercase)),
);
pub static STR_TRIM: Function = Function::new(
    "strTrim",
    Body::StrStrSlice(|s, cutset| s.trim_matches(|c| cutset.contains(c))),
);
pub static STR_TRIM_LEFT: Function = Function::new(
    "strTrimLeft",
    Body::StrStrSlice(|s, cutset| s.trim_start_matches(|c| cutset.contains(c))),
);
pub static STR_TRIM_PREFIX: Function = Function::new(
    "strTrimPrefix",
    Body::StrStrSlice(|s, prefix| s.strip_prefix(prefix).unwrap_or(s)),
);
pub static STR_TRIM_RIGHT: Function = Function::new(
    "strTrimRight",
    Body::StrStrSlice(|s, cutset| s.trim_end_matches(|c| cutset.contains(c))),
);
// Go's unicode.IsSpace and Rust's White_Space agree on every character.
pub static STR_TRIM_SPACE: Function =
    Function::new("strTrimSpace", Body::StrMap(|s| s.trim().to_owned()));
pub static STR_TRIM_SUFFIX: Function = Function::new(
    "strTrimSuffix",
    Body::StrStrSlice(|s, suffix| s.strip_suffix(suffix).unwrap_or(s)),
);

fn position(index: Option<usize>) -> i64 {
    index.map_or(-1, |i| i as i64)
}

/// Non-overlapping occurrences; an empty needle occurs before each character and at the end.
fn count(s: &str, sub: &str) -> i64 {
    if sub.is_empty() {
        s.chars().count() as i64 + 1
    } else {
        s.matches(sub).count() as i64
    }
}

/// Maps each character on its own, keeping characters whose mapping is not a single one: Go's
/// ToUpper/ToLower use the one-to-one Unicode mappings (`ß` stays `ß`, a final `Σ` becomes `σ`).
fn map_chars<I: Iterator<Item = char>>(s: &str, map: fn(char) -> I) -> String {
    s.chars()
        .map(|c| {
            let mut mapped = map(c);
            match (mapped.next(), mapped.next()) {
                (Some(single), None) => single,
                _ => c,
            }
        })
        .collect()
}

fn length<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    match args {
        [Value::String(s)] => Ok(Value::Int(s.len() as i64)),
        _ => Err(CallError::Signature),
    }
}

/// Replaces the first `n` occurrences, all of them when `n` is negative.
fn replace<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    match args {
        [
            Value::String(s),
            Value::String(old),
            Value::String(new),
            Value::Int(n),
        ] => {
            let limit = usize::try_from(*n).unwrap_or(usize::MAX);
            Ok(Value::String(Cow::Owned(s.replacen(
                old.as_ref(),
                new,
                limit,
            ))))
        }
        _ => Err(CallError::Signature),
    }
}

/// The bytes from `start` up to `stop` (excluded); `stop` must be below the length, so the last
/// byte can never be included (Kapacitor's check, kept for fidelity).
fn substring<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    let [Value::String(s), Value::Int(start), Value::Int(stop)] = args else {
        return Err(CallError::Signature);
    };
    let negative = [*start, *stop].into_iter().find(|i| *i < 0);
    if let Some(index) = negative {
        return Err(CallError::Failed(format!(
            "found negative index for strSubstring: {index}"
        )));
    }
    if *stop >= s.len() as i64 {
        return Err(CallError::Failed(format!(
            "stop index too large for string in strSubstring: {stop}"
        )));
    }
    // Both are in 0..len now; Go would panic on start > stop.
    let (start, stop) = (*start as usize, *stop as usize);
    let bytes = s
        .as_bytes()
        .get(start..stop)
        .ok_or(CallError::Runtime(EvalError::SliceOutOfRange))?;
    // Go slices bytes and may cut a character in two; its JSON output then shows U+FFFD, as here.
    let lossy = || Cow::Owned(String::from_utf8_lossy(bytes).into_owned());
    Ok(Value::String(match s {
        Cow::Borrowed(b) => b.get(start..stop).map_or_else(lossy, Cow::Borrowed),
        Cow::Owned(_) => lossy(),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::call;
    use super::*;

    fn s<'a>(x: &'a str) -> Value<'a> {
        Value::str(x)
    }

    fn ok<'a>(name: &str, args: &[Value<'a>]) -> Value<'a> {
        call(name, args).unwrap()
    }

    #[test]
    fn predicates() {
        assert_eq!(ok("strContains", &[s("abc"), s("bc")]), Value::Bool(true));
        assert_eq!(
            ok("strContainsAny", &[s("abc"), s("xyc")]),
            Value::Bool(true)
        );
        assert_eq!(ok("strContainsAny", &[s("abc"), s("")]), Value::Bool(false));
        assert_eq!(ok("strHasPrefix", &[s("abc"), s("ab")]), Value::Bool(true));
        assert_eq!(ok("strHasSuffix", &[s("abc"), s("ab")]), Value::Bool(false));
    }

    #[test]
    fn indexes_count_bytes() {
        assert_eq!(ok("strIndex", &[s("héllo"), s("l")]), Value::Int(3));
        assert_eq!(ok("strIndex", &[s("abc"), s("z")]), Value::Int(-1));
        assert_eq!(ok("strIndex", &[s("abc"), s("")]), Value::Int(0));
        assert_eq!(
            ok("strLastIndex", &[s("go gopher"), s("go")]),
            Value::Int(3)
        );
        assert_eq!(ok("strLastIndex", &[s("abc"), s("")]), Value::Int(3));
        assert_eq!(ok("strIndexAny", &[s("golang"), s("ny")]), Value::Int(4));
        assert_eq!(ok("strIndexAny", &[s("golang"), s("")]), Value::Int(-1));
        assert_eq!(
            ok("strLastIndexAny", &[s("go gopher"), s("go")]),
            Value::Int(4)
        );
        assert_eq!(ok("strLength", &[s("héllo")]), Value::Int(6));
    }

    #[test]
    fn count_is_non_overlapping_and_counts_empty_between_characters() {
        assert_eq!(ok("strCount", &[s("cheese"), s("e")]), Value::Int(3));
        assert_eq!(ok("strCount", &[s("aaaa"), s("aa")]), Value::Int(2));
        assert_eq!(ok("strCount", &[s("five"), s("")]), Value::Int(5));
    }

    #[test]
    fn replace_honours_the_count() {
        let r = |n| ok("strReplace", &[s("aaa"), s("a"), s("b"), Value::Int(n)]);
        assert_eq!(r(2), s("bba"));
        assert_eq!(r(-1), s("bbb"));
        assert_eq!(r(0), s("aaa"));
        assert_eq!(
            ok("strReplace", &[s("ab"), s(""), s("-"), Value::Int(-1)]),
            s("-a-b-")
        );
    }

    #[test]
    fn substring_checks_its_bounds() {
        let sub = |text, a, b| call("strSubstring", &[s(text), Value::Int(a), Value::Int(b)]);
        assert_eq!(sub("abcdef", 1, 3), Ok(s("bc")));
        assert_eq!(sub("abcdef", 0, 4), Ok(s("abcd")));
        assert_eq!(
            sub("abcd", 0, 4).unwrap_err().to_string(),
            r#"error calling "strSubstring": stop index too large for string in strSubstring: 4"#
        );
        assert_eq!(
            sub("abcd", -1, 2).unwrap_err().to_string(),
            r#"error calling "strSubstring": found negative index for strSubstring: -1"#
        );
        assert_eq!(sub("abcd", 3, 1), Err(EvalError::SliceOutOfRange));
        assert_eq!(sub("héllo", 0, 2), Ok(s("h\u{fffd}")));
    }

    #[test]
    fn case_mapping_is_per_character() {
        assert_eq!(ok("strToUpper", &[s("node0 ß")]), s("NODE0 ß"));
        assert_eq!(ok("strToLower", &[s("ΟΔΟΣ")]), s("οδοσ"));
    }

    #[test]
    fn trims() {
        assert_eq!(ok("strTrim", &[s("xxhixx"), s("x")]), s("hi"));
        assert_eq!(ok("strTrimLeft", &[s("xxhixx"), s("x")]), s("hixx"));
        assert_eq!(ok("strTrimRight", &[s("xxhixx"), s("x")]), s("xxhi"));
        assert_eq!(ok("strTrimPrefix", &[s("xxhixx"), s("x")]), s("xhixx"));
        assert_eq!(ok("strTrimSuffix", &[s("xxhixx"), s("xx")]), s("xxhi"));
        assert_eq!(ok("strTrimSpace", &[s(" \t hi \n")]), s("hi"));
    }
}
