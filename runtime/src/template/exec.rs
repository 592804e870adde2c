//! Runs a parsed template over a value, with Go's text/template semantics, bounded in steps
//! and output size so a hostile template cannot run away.

use super::Flavor;
use super::ast::{Arg, ArgKind, Command, Control, ControlKind, List, Node, Number, Pipe, Span};
use super::error::TemplateError;
use super::escape::html_text_escape;
use super::funcs::Func;
use super::gofmt::display;
use super::methods::call_method;
use super::value::Value;

/// Most nodes and commands one rendering may evaluate.
const MAX_STEPS: u64 = 1_000_000;
/// Largest output one rendering may produce.
const MAX_OUTPUT: usize = 4 << 20;
/// Most text function calls may produce in one rendering, printed or not (a loop of wide
/// `printf`s into a variable would otherwise cost unbounded time).
const MAX_PRODUCED: usize = 64 << 20;

pub fn execute(root: &List, flavor: Flavor, data: &Value) -> Result<String> {
    let mut state = State {
        flavor,
        vars: vec![("$".to_owned(), data.clone())],
        out: String::new(),
        steps: 0,
        produced: 0,
    };
    state.walk(data, root)?;
    Ok(state.out)
}

struct State {
    flavor: Flavor,
    /// Variables in scope, innermost last.
    vars: Vec<(String, Value)>,
    out: String,
    steps: u64,
    /// Bytes of text made by function calls so far.
    produced: usize,
}

type Result<T> = std::result::Result<T, TemplateError>;

fn fail<T>(span: &Span, message: impl Into<String>) -> Result<T> {
    Err(TemplateError::execute(span.clone(), message))
}

impl State {
    fn step(&mut self, span: &Span) -> Result<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return fail(
                span,
                format!("template execution took more than {MAX_STEPS} steps"),
            );
        }
        Ok(())
    }

    fn write(&mut self, s: &str, span: &Span) -> Result<()> {
        if self.out.len() + s.len() > MAX_OUTPUT {
            return fail(span, format!("template output exceeds {MAX_OUTPUT} bytes"));
        }
        self.out.push_str(s);
        Ok(())
    }

    fn walk(&mut self, dot: &Value, list: &List) -> Result<()> {
        for node in &list.0 {
            match node {
                Node::Text(text) => self.write(text, &(0..0))?,
                Node::Action(pipe) => {
                    self.step(&pipe.span)?;
                    self.action(dot, pipe)?;
                }
                Node::Control(control) => {
                    self.step(&control.pipe.span)?;
                    let mark = self.vars.len();
                    let result = match control.kind {
                        ControlKind::If | ControlKind::With => self.if_or_with(dot, control),
                        ControlKind::Range => self.range(dot, control),
                    };
                    self.vars.truncate(mark);
                    result?;
                }
            }
        }
        Ok(())
    }

    /// Prints a pipeline's value unless it declares variables. In an html template the value
    /// is escaped for HTML text (and a missing value prints nothing).
    fn action(&mut self, dot: &Value, pipe: &Pipe) -> Result<()> {
        match self.flavor {
            Flavor::Text => {
                let value = self.pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    let text = match value {
                        Value::Nil => "<no value>".to_owned(),
                        v => display(&v),
                    };
                    self.write(&text, &pipe.span)?;
                }
            }
            Flavor::Html => {
                // html/template replaces a trailing `| html` with its own escaper.
                let value = match pipe.cmds.split_last() {
                    Some((last, rest)) if !rest.is_empty() && is_bare_html(last) => {
                        let trimmed = Pipe {
                            cmds: rest.to_vec(),
                            ..pipe.clone()
                        };
                        self.pipeline(dot, &trimmed)?
                    }
                    _ => self.pipeline(dot, pipe)?,
                };
                if pipe.decl.is_empty() {
                    let text = match value {
                        Value::Nil => String::new(),
                        v => html_text_escape(&display(&v)),
                    };
                    self.write(&text, &pipe.span)?;
                }
            }
        }
        Ok(())
    }

    fn if_or_with(&mut self, dot: &Value, control: &Control) -> Result<()> {
        let value = self.pipeline(dot, &control.pipe)?;
        if value.is_true() {
            let inner = if control.kind == ControlKind::With {
                &value
            } else {
                dot
            };
            self.walk(inner, &control.body)
        } else if let Some(otherwise) = &control.otherwise {
            self.walk(dot, otherwise)
        } else {
            Ok(())
        }
    }

    fn range(&mut self, dot: &Value, control: &Control) -> Result<()> {
        let value = self.pipeline(dot, &control.pipe)?;
        let items: Vec<(Value, Value)> = match &value {
            Value::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::Int(i as i64), v.clone()))
                .collect(),
            Value::Map(m) => m
                .iter()
                .map(|(k, v)| (Value::string(k), v.clone()))
                .collect(),
            Value::Nil => Vec::new(),
            other => {
                return fail(
                    &control.pipe.span,
                    format!("range can't iterate over {}", display(other)),
                );
            }
        };
        if items.is_empty() {
            if let Some(otherwise) = &control.otherwise {
                return self.walk(dot, otherwise);
            }
            return Ok(());
        }
        let decls = control.pipe.decl.len();
        let mark = self.vars.len();
        for (key, element) in items {
            // The pipeline pushed its variables last: the element is the innermost, the
            // key or index the one before.
            if decls >= 1
                && let Some(slot) = self
                    .vars
                    .len()
                    .checked_sub(1)
                    .and_then(|i| self.vars.get_mut(i))
            {
                slot.1 = element.clone();
            }
            if decls >= 2
                && let Some(slot) = self
                    .vars
                    .len()
                    .checked_sub(2)
                    .and_then(|i| self.vars.get_mut(i))
            {
                slot.1 = key;
            }
            self.walk(&element, &control.body)?;
            self.vars.truncate(mark);
        }
        Ok(())
    }

    fn pipeline(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value> {
        let mut value = None;
        for cmd in &pipe.cmds {
            self.step(&cmd.span)?;
            value = Some(self.command(dot, cmd, value)?);
        }
        let value = value.unwrap_or(Value::Nil);
        for name in &pipe.decl {
            if pipe.is_assign {
                match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = value.clone(),
                    None => return fail(&pipe.span, format!("undefined variable: {name}")),
                }
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn variable(&self, name: &str, span: &Span) -> Result<Value> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => fail(span, format!("undefined variable: {name}")),
        }
    }

    /// One command; `last` is the previous command's value, passed as the final argument.
    fn command(&mut self, dot: &Value, cmd: &Command, last: Option<Value>) -> Result<Value> {
        let Some((first, args)) = cmd.args.split_first() else {
            return fail(&cmd.span, "empty command");
        };
        match &first.kind {
            ArgKind::Field(idents) => {
                self.field_chain(dot, dot.clone(), idents, args, last, &first.span)
            }
            ArgKind::Chain(inner, idents) => {
                let receiver = self.arg(dot, inner)?;
                self.field_chain(dot, receiver, idents, args, last, &first.span)
            }
            ArgKind::Variable(name, idents) if !idents.is_empty() => {
                let receiver = self.variable(name, &first.span)?;
                self.field_chain(dot, receiver, idents, args, last, &first.span)
            }
            ArgKind::Func(f) => self.call(dot, *f, args, last, &first.span),
            ArgKind::Nil => fail(&first.span, "nil is not a command"),
            _ => {
                if !args.is_empty() || last.is_some() {
                    return fail(&first.span, "can't give argument to non-function");
                }
                self.arg(dot, first)
            }
        }
    }

    /// An argument's value.
    fn arg(&mut self, dot: &Value, arg: &Arg) -> Result<Value> {
        Ok(match &arg.kind {
            ArgKind::Dot => dot.clone(),
            ArgKind::Nil => Value::Nil,
            ArgKind::Bool(b) => Value::Bool(*b),
            ArgKind::Number(Number::Int(i)) => Value::Int(*i),
            ArgKind::Number(Number::Float(f)) => Value::Float(*f),
            ArgKind::String(s) => Value::string(s.as_str()),
            ArgKind::Field(idents) => {
                self.field_chain(dot, dot.clone(), idents, &[], None, &arg.span)?
            }
            ArgKind::Variable(name, idents) => {
                let value = self.variable(name, &arg.span)?;
                if idents.is_empty() {
                    value
                } else {
                    self.field_chain(dot, value, idents, &[], None, &arg.span)?
                }
            }
            ArgKind::Chain(inner, idents) => {
                let receiver = self.arg(dot, inner)?;
                self.field_chain(dot, receiver, idents, &[], None, &arg.span)?
            }
            ArgKind::Func(f) => self.call(dot, *f, &[], None, &arg.span)?,
            ArgKind::Pipe(pipe) => {
                // A parenthesised pipeline's variables do not outlive it.
                let mark = self.vars.len();
                let value = self.pipeline(dot, pipe);
                self.vars.truncate(mark);
                value?
            }
        })
    }

    fn args(&mut self, dot: &Value, args: &[Arg], last: Option<Value>) -> Result<Vec<Value>> {
        let mut values = Vec::with_capacity(args.len() + 1);
        for arg in args {
            values.push(self.arg(dot, arg)?);
        }
        values.extend(last);
        Ok(values)
    }

    fn call(
        &mut self,
        dot: &Value,
        f: Func,
        args: &[Arg],
        last: Option<Value>,
        span: &Span,
    ) -> Result<Value> {
        let values = self.args(dot, args, last)?;
        let value = f.call(values).or_else(|e| fail(span, e))?;
        if let Value::String(s) = &value {
            self.produced += s.len();
            if self.produced > MAX_PRODUCED {
                return fail(
                    span,
                    format!("template functions produced more than {MAX_PRODUCED} bytes"),
                );
            }
        }
        Ok(value)
    }

    /// `.A.B.C args`: walks the fields; only the last may be a method taking arguments.
    fn field_chain(
        &mut self,
        dot: &Value,
        mut receiver: Value,
        idents: &[String],
        args: &[Arg],
        last: Option<Value>,
        span: &Span,
    ) -> Result<Value> {
        let Some((final_name, walk)) = idents.split_last() else {
            return Ok(receiver);
        };
        for name in walk {
            receiver = self.field(dot, &receiver, name, &[], None, span)?;
        }
        self.field(dot, &receiver, final_name, args, last, span)
    }

    fn field(
        &mut self,
        dot: &Value,
        receiver: &Value,
        name: &str,
        args: &[Arg],
        last: Option<Value>,
        span: &Span,
    ) -> Result<Value> {
        let has_args = !args.is_empty() || last.is_some();
        match receiver {
            // A missing value has no fields: the result is missing too.
            Value::Nil => Ok(Value::Nil),
            Value::Time(_) | Value::Duration(_) => {
                let values = self.args(dot, args, last)?;
                match call_method(receiver, name, &values) {
                    Some(result) => {
                        result.or_else(|e| fail(span, format!("error calling {name}: {e}")))
                    }
                    None => fail(
                        span,
                        format!(
                            "can't evaluate field {name} in type {}",
                            receiver.type_name()
                        ),
                    ),
                }
            }
            Value::Struct(s) => match s.lookup(name) {
                Some(_) if has_args => fail(
                    span,
                    format!("{name} has arguments but cannot be invoked as function"),
                ),
                Some(v) => Ok(v.clone()),
                None => fail(
                    span,
                    format!("can't evaluate field {name} in type {}", s.type_name),
                ),
            },
            Value::Map(m) => {
                if has_args {
                    return fail(span, format!("{name} is not a method but has arguments"));
                }
                Ok(m.get(name).cloned().unwrap_or(Value::Nil))
            }
            other => fail(
                span,
                format!("can't evaluate field {name} in type {}", other.type_name()),
            ),
        }
    }
}

fn is_bare_html(cmd: &Command) -> bool {
    matches!(
        cmd.args.as_slice(),
        [Arg {
            kind: ArgKind::Func(Func::Html),
            ..
        }]
    )
}
