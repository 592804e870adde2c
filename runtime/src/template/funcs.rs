//! The functions a template can call: text/template's builtins (as in Go 1.13, where `and`
//! and `or` evaluate every argument) and, in Kapacitor's details templates, `json`.

use std::cmp::Ordering;

use super::escape::{html_escape, js_escape, query_escape};
use super::gofmt::{sprint, sprintf, sprintln};
use super::value::Value;
use super::{Flavor, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    And,
    Or,
    Not,
    Len,
    Index,
    Call,
    Print,
    Printf,
    Println,
    Html,
    Js,
    Urlquery,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Kapacitor's details-template function.
    Json,
}

impl Func {
    /// The function a name stands for in templates of this flavor.
    pub fn lookup(name: &str, flavor: Flavor) -> Option<Func> {
        Some(match name {
            "and" => Func::And,
            "or" => Func::Or,
            "not" => Func::Not,
            "len" => Func::Len,
            "index" => Func::Index,
            "call" => Func::Call,
            "print" => Func::Print,
            "printf" => Func::Printf,
            "println" => Func::Println,
            "html" => Func::Html,
            "js" => Func::Js,
            "urlquery" => Func::Urlquery,
            "eq" => Func::Eq,
            "ne" => Func::Ne,
            "lt" => Func::Lt,
            "le" => Func::Le,
            "gt" => Func::Gt,
            "ge" => Func::Ge,
            "json" if flavor == Flavor::Html => Func::Json,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Func::And => "and",
            Func::Or => "or",
            Func::Not => "not",
            Func::Len => "len",
            Func::Index => "index",
            Func::Call => "call",
            Func::Print => "print",
            Func::Printf => "printf",
            Func::Println => "println",
            Func::Html => "html",
            Func::Js => "js",
            Func::Urlquery => "urlquery",
            Func::Eq => "eq",
            Func::Ne => "ne",
            Func::Lt => "lt",
            Func::Le => "le",
            Func::Gt => "gt",
            Func::Ge => "ge",
            Func::Json => "json",
        }
    }

    /// How many arguments the function takes: exactly `n`, or at least `n` when variadic.
    fn arity(self) -> (usize, bool) {
        match self {
            Func::And | Func::Or | Func::Index | Func::Call | Func::Printf | Func::Eq => (1, true),
            Func::Print | Func::Println | Func::Html | Func::Js | Func::Urlquery => (0, true),
            Func::Not | Func::Len | Func::Json => (1, false),
            Func::Ne | Func::Lt | Func::Le | Func::Gt | Func::Ge => (2, false),
        }
    }

    /// Calls the function on evaluated arguments. Errors are Go's wording.
    pub fn call(self, args: Vec<Value>) -> Result<Value, String> {
        let (want, variadic) = self.arity();
        if (variadic && args.len() < want) || (!variadic && args.len() != want) {
            let at_least = if variadic { "at least " } else { "" };
            return Err(format!(
                "wrong number of args for {}: want {at_least}{want} got {}",
                self.name(),
                args.len()
            ));
        }
        let calling = |e: String| format!("error calling {}: {e}", self.name());
        match self {
            Func::And => Ok(args
                .iter()
                .find(|a| !a.is_true())
                .or(args.last())
                .cloned()
                .unwrap_or(Value::Nil)),
            Func::Or => Ok(args
                .iter()
                .find(|a| a.is_true())
                .or(args.last())
                .cloned()
                .unwrap_or(Value::Nil)),
            Func::Not => Ok(Value::Bool(!args.first().is_some_and(Value::is_true))),
            Func::Len => length(args.first().unwrap_or(&Value::Nil)).map_err(calling),
            Func::Index => index(&args).map_err(calling),
            Func::Call => {
                let what = args.first().map_or("<nil>", Value::type_name);
                Err(calling(format!("non-function of type {what}")))
            }
            Func::Print => Ok(Value::string(sprint(&args))),
            Func::Println => Ok(Value::string(sprintln(&args))),
            Func::Printf => match args.split_first() {
                Some((Value::String(format), rest)) => Ok(Value::string(sprintf(format, rest))),
                Some((Value::Nil, _)) => Err("invalid value; expected string".to_owned()),
                Some((other, _)) => Err(format!(
                    "wrong type for value; expected string; got {}",
                    other.type_name()
                )),
                None => Err("printf needs a format".to_owned()),
            },
            Func::Html => Ok(Value::string(html_escape(&eval_args(&args)))),
            Func::Js => Ok(Value::string(js_escape(&eval_args(&args)))),
            Func::Urlquery => Ok(Value::string(query_escape(&eval_args(&args)))),
            Func::Eq => {
                let (first, rest) = args
                    .split_first()
                    .ok_or_else(|| calling("missing argument for comparison".into()))?;
                basic_kind(first).map_err(calling)?;
                if rest.is_empty() {
                    return Err(calling("missing argument for comparison".into()));
                }
                for other in rest {
                    if compare(first, other).map_err(calling)? == Some(Ordering::Equal) {
                        return Ok(Value::Bool(true));
                    }
                }
                Ok(Value::Bool(false))
            }
            Func::Ne => {
                let (_, equal) = relation(&args, false).map_err(calling)?;
                Ok(Value::Bool(!equal))
            }
            // Go derives the others from < and ==: with NaN, gt and ge are true.
            Func::Lt => Ok(Value::Bool(relation(&args, true).map_err(calling)?.0)),
            Func::Le => {
                let (less, equal) = relation(&args, true).map_err(calling)?;
                Ok(Value::Bool(less || equal))
            }
            Func::Gt => {
                let (less, equal) = relation(&args, true).map_err(calling)?;
                Ok(Value::Bool(!(less || equal)))
            }
            Func::Ge => Ok(Value::Bool(!relation(&args, true).map_err(calling)?.0)),
            // Kapacitor ignores the encoder's error, leaving the output empty.
            Func::Json => Ok(Value::string(
                json::encode(args.first().unwrap_or(&Value::Nil)).unwrap_or_default(),
            )),
        }
    }
}

/// The text of the arguments for `html`, `js`, `urlquery`: like `print`, but a missing value
/// reads as `<no value>`.
fn eval_args(args: &[Value]) -> String {
    match args {
        [Value::String(s)] => s.to_string(),
        _ => {
            let shown: Vec<Value> = args
                .iter()
                .map(|a| match a {
                    Value::Nil => Value::string("<no value>"),
                    other => other.clone(),
                })
                .collect();
            sprint(&shown)
        }
    }
}

fn length(v: &Value) -> Result<Value, String> {
    match v {
        Value::String(s) => Ok(Value::Int(s.len() as i64)),
        Value::Map(m) => Ok(Value::Int(m.len() as i64)),
        Value::List(l) => Ok(Value::Int(l.len() as i64)),
        Value::Nil => Err("len of nil pointer".to_owned()),
        other => Err(format!("len of type {}", other.type_name())),
    }
}

fn index(args: &[Value]) -> Result<Value, String> {
    let Some((item, indices)) = args.split_first() else {
        return Ok(Value::Nil);
    };
    if matches!(item, Value::Nil) {
        return Err("index of untyped nil".to_owned());
    }
    let mut current = item.clone();
    for key in indices {
        current = match &current {
            Value::Map(m) => match key {
                Value::String(k) => m.get(k).cloned().unwrap_or_else(|| m.zero()),
                Value::Nil => m.get("").cloned().unwrap_or_else(|| m.zero()),
                other => {
                    return Err(format!(
                        "{} is not index type for {}",
                        other.type_name(),
                        m.type_name
                    ));
                }
            },
            Value::List(_) | Value::String(_) => {
                let i = match key {
                    Value::Int(i) | Value::Int64(i) => *i,
                    other => {
                        return Err(format!(
                            "cannot index slice/array with type {}",
                            other.type_name()
                        ));
                    }
                };
                let element = usize::try_from(i).ok().and_then(|u| match &current {
                    Value::List(l) => l.get(u).cloned(),
                    Value::String(s) => s.as_bytes().get(u).map(|b| Value::Int(i64::from(*b))),
                    _ => None,
                });
                element.ok_or_else(|| format!("index out of range: {i}"))?
            }
            Value::Nil => return Err("index of nil pointer".to_owned()),
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(current)
}

/// The comparison classes of Go's `eq`/`lt`: only basic kinds compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Int,
    Float,
    String,
}

fn basic_kind(v: &Value) -> Result<Kind, String> {
    match v {
        Value::Bool(_) => Ok(Kind::Bool),
        Value::Int(_) | Value::Int64(_) | Value::Duration(_) => Ok(Kind::Int),
        Value::Float(_) => Ok(Kind::Float),
        Value::String(_) => Ok(Kind::String),
        _ => Err("invalid type for comparison".to_owned()),
    }
}

/// Orders two basic values of the same kind; `None` when unordered (NaN). Bools only
/// compare for equality: they give `Some(Equal)` or `Some(Less)`.
fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>, String> {
    let (ka, kb) = (basic_kind(a)?, basic_kind(b)?);
    if ka != kb {
        return Err("incompatible types for comparison".to_owned());
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Some(if x == y {
            Ordering::Equal
        } else {
            Ordering::Less
        }),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::String(x), Value::String(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (
            Value::Int(x) | Value::Int64(x) | Value::Duration(x),
            Value::Int(y) | Value::Int64(y) | Value::Duration(y),
        ) => Some(x.cmp(y)),
        _ => None,
    })
}

/// Whether `a < b` and whether `a == b`, for two arguments. Ordering (`lt` and what Go
/// builds on it) refuses booleans.
fn relation(args: &[Value], ordering: bool) -> Result<(bool, bool), String> {
    let [a, b] = args else {
        return Err("missing argument for comparison".to_owned());
    };
    let order = compare(a, b)?;
    if ordering && matches!(a, Value::Bool(_)) {
        return Err("invalid type for comparison".to_owned());
    }
    Ok((
        order == Some(Ordering::Less),
        order == Some(Ordering::Equal),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::value::{MapElem, MapValue};
    use super::*;

    fn call(f: Func, args: Vec<Value>) -> Result<Value, String> {
        f.call(args)
    }

    #[test]
    fn comparisons_follow_go_kinds() {
        assert_eq!(
            call(
                Func::Eq,
                vec![Value::string("OK"), Value::string("x"), Value::string("OK")]
            ),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call(Func::Eq, vec![Value::Int64(3), Value::Int(3)]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call(Func::Eq, vec![Value::Duration(0), Value::Int(0)]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call(Func::Eq, vec![Value::Float(3.0), Value::Int(3)]).unwrap_err(),
            "error calling eq: incompatible types for comparison"
        );
        assert_eq!(
            call(Func::Eq, vec![Value::Nil, Value::Int(3)]).unwrap_err(),
            "error calling eq: invalid type for comparison"
        );
        assert_eq!(
            call(Func::Eq, vec![Value::Int(3)]).unwrap_err(),
            "error calling eq: missing argument for comparison"
        );
        assert_eq!(
            call(Func::Ne, vec![Value::Int(3), Value::Int(4)]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call(Func::Ne, vec![Value::Int(3)]).unwrap_err(),
            "wrong number of args for ne: want 2 got 1"
        );
        assert_eq!(
            call(Func::Lt, vec![Value::Float(1.0), Value::Float(2.0)]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call(Func::Ge, vec![Value::string("b"), Value::string("a")]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call(Func::Gt, vec![Value::Int(2), Value::Int(2)]),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            call(Func::Le, vec![Value::Int(2), Value::Int(2)]),
            Ok(Value::Bool(true))
        );
        assert!(call(Func::Lt, vec![Value::Bool(true), Value::Bool(false)]).is_err());
        assert_eq!(
            call(Func::Lt, vec![Value::Bool(true), Value::Int(1)]).unwrap_err(),
            "error calling lt: incompatible types for comparison"
        );
        let nan = || Value::Float(f64::NAN);
        assert_eq!(call(Func::Gt, vec![nan(), nan()]), Ok(Value::Bool(true)));
        assert_eq!(call(Func::Lt, vec![nan(), nan()]), Ok(Value::Bool(false)));
    }

    #[test]
    fn logic_returns_operands() {
        assert_eq!(
            call(
                Func::And,
                vec![Value::Int(1), Value::string(""), Value::Int(2)]
            ),
            Ok(Value::string(""))
        );
        assert_eq!(
            call(Func::And, vec![Value::Int(1), Value::Int(2)]),
            Ok(Value::Int(2))
        );
        assert_eq!(
            call(Func::Or, vec![Value::Nil, Value::string("x")]),
            Ok(Value::string("x"))
        );
        assert_eq!(
            call(Func::Or, vec![Value::Nil, Value::Int(0)]),
            Ok(Value::Int(0))
        );
        assert_eq!(call(Func::Not, vec![Value::Nil]), Ok(Value::Bool(true)));
    }

    #[test]
    fn index_and_len() {
        let tags = Value::from(MapValue::new(
            "models.Tags",
            MapElem::String,
            [("host".into(), Value::string("a"))],
        ));
        let fields = Value::from(MapValue::new("models.Fields", MapElem::Any, []));
        assert_eq!(
            call(Func::Index, vec![tags.clone(), Value::string("host")]),
            Ok(Value::string("a"))
        );
        assert_eq!(
            call(Func::Index, vec![tags.clone(), Value::string("nope")]),
            Ok(Value::string(""))
        );
        assert_eq!(
            call(Func::Index, vec![fields, Value::string("nope")]),
            Ok(Value::Nil)
        );
        assert_eq!(
            call(Func::Index, vec![tags.clone(), Value::Int(1)]).unwrap_err(),
            "error calling index: int is not index type for models.Tags"
        );
        let list = Value::List(vec![Value::Int(5), Value::Int(6)].into());
        assert_eq!(
            call(Func::Index, vec![list.clone(), Value::Int(1)]),
            Ok(Value::Int(6))
        );
        assert_eq!(
            call(Func::Index, vec![list.clone(), Value::Int(2)]).unwrap_err(),
            "error calling index: index out of range: 2"
        );
        assert_eq!(
            call(Func::Index, vec![Value::string("abc"), Value::Int(0)]),
            Ok(Value::Int(97))
        );
        assert_eq!(
            call(Func::Index, vec![Value::Nil, Value::Int(0)]).unwrap_err(),
            "error calling index: index of untyped nil"
        );
        assert_eq!(
            call(Func::Index, vec![Value::Int(3), Value::Int(0)]).unwrap_err(),
            "error calling index: can't index item of type int"
        );
        assert_eq!(call(Func::Len, vec![tags]), Ok(Value::Int(1)));
        assert_eq!(
            call(Func::Len, vec![Value::string("héllo")]),
            Ok(Value::Int(6))
        );
        assert_eq!(
            call(Func::Len, vec![Value::Int(3)]).unwrap_err(),
            "error calling len: len of type int"
        );
    }

    #[test]
    fn printing_functions() {
        assert_eq!(
            call(
                Func::Printf,
                vec![
                    Value::string("%s=%v"),
                    Value::string("a"),
                    Value::Float(1.5)
                ]
            ),
            Ok(Value::string("a=1.5"))
        );
        assert_eq!(
            call(Func::Printf, vec![Value::Int(1)]).unwrap_err(),
            "wrong type for value; expected string; got int"
        );
        assert_eq!(
            call(Func::Printf, vec![]).unwrap_err(),
            "wrong number of args for printf: want at least 1 got 0"
        );
        assert_eq!(
            call(Func::Html, vec![Value::string("<a>")]),
            Ok(Value::string("&lt;a&gt;"))
        );
        assert_eq!(
            call(Func::Html, vec![Value::Nil]),
            Ok(Value::string("&lt;no value&gt;"))
        );
        assert_eq!(
            call(Func::Urlquery, vec![Value::string("a b"), Value::Int(1)]),
            Ok(Value::string("a+b1"))
        );
        assert_eq!(
            call(Func::Json, vec![Value::string("<")]),
            Ok(Value::string("\"\\u003c\"\n"))
        );
        assert_eq!(
            call(Func::Json, vec![Value::Float(f64::NAN)]),
            Ok(Value::string(""))
        );
        assert!(Func::lookup("json", Flavor::Text).is_none());
    }
}
