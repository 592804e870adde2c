//! `regexReplace(regex, src, replacement)`: every match replaced, with Go's `$1`/`${name}`
//! expansion, which the regex crate's replacement syntax shares (`$2_` names a group `2_`).

use std::borrow::Cow;

use super::{Body, CallError, Function, sig};
use crate::expr::value::{Type, Value};

pub static REGEX_REPLACE: Function = Function::new(
    "regexReplace",
    Body::Custom {
        signatures: &[sig(
            &[Type::Regex, Type::String, Type::String],
            Type::String,
        )],
        call: regex_replace,
    },
);

fn regex_replace<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    let [
        Value::Regex(re),
        Value::String(src),
        Value::String(replacement),
    ] = args
    else {
        return Err(CallError::Signature);
    };
    let replacement = replacement.as_ref();
    Ok(Value::String(match src {
        // Without a match the source comes back borrowed.
        Cow::Borrowed(src) => re.replace_all(src, replacement),
        Cow::Owned(src) => Cow::Owned(re.replace_all(src, replacement).into_owned()),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::call;
    use super::*;
    use regex::Regex;

    fn replace(pattern: &str, src: &str, replacement: &str) -> String {
        let re = Regex::new(pattern).unwrap();
        match call(
            "regexReplace",
            &[Value::Regex(&re), Value::str(src), Value::str(replacement)],
        ) {
            Ok(Value::String(s)) => s.into_owned(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn expands_groups_like_go() {
        assert_eq!(replace("a(b)", "xab", "$1$1"), "xbb");
        // `$2_` is the (absent) group "2_", so only `$1` remains.
        assert_eq!(replace(r"^(\w+)-(\d+)$", "web-12", "$2_$1"), "web");
        assert_eq!(replace(r"^(\w+)-(\d+)$", "web-12", "${2}_${1}"), "12_web");
        assert_eq!(replace(r"^(\w+)-(\d+)$", "nodash", "${2}_${1}"), "nodash");
        assert_eq!(replace("[aeiou]", "AEIOU aeiou", "*"), "AEIOU *****");
        assert_eq!(replace("(?P<w>o)", "foo", "[$w]"), "f[o][o]");
        assert_eq!(replace("o", "foo", "$$"), "f$$");
    }

    #[test]
    fn empty_matches_next_to_a_match_are_skipped_like_go() {
        assert_eq!(replace("a*", "baaac", "X"), "XbXcX");
    }

    #[test]
    fn the_pattern_must_be_a_regex() {
        assert_eq!(
            call(
                "regexReplace",
                &[Value::str("a"), Value::str("b"), Value::str("c")]
            )
            .unwrap_err()
            .to_string(),
            "Cannot call function \"regexReplace\" with args (string,string,string), available signatures are [(regex,string,string)]."
        );
    }
}
