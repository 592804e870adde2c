//! Vars: the names a script defines (`var x = ...`), the template vars it declares
//! (`var x int`) and the root (`stream` or `batch`). Vars are immutable, as in Kapacitor.

use std::collections::BTreeMap;

use super::vars::{Declared, Supplied};
use super::{Checker, Cursor};
use crate::ast::{Expr, Ident};
use crate::catalogue::{self, Edge, did_you_mean};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Value};
use crate::span::Span;

/// What a name is bound to.
#[derive(Debug, Clone)]
pub(super) struct Var {
    /// `None` when the definition had an error already reported: uses stay quiet.
    pub value: Option<Value>,
    /// Where the script defines it (`None` for the root, which Kapacitor predefines).
    pub defined_at: Option<Span>,
}

#[derive(Debug, Default)]
pub(super) struct Scope {
    vars: BTreeMap<String, Var>,
}

impl Scope {
    pub fn get(&self, name: &str) -> Option<&Var> {
        self.vars.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }

    fn define(&mut self, name: &str, var: Var) {
        self.vars.insert(name.to_owned(), var);
    }
}

/// The type names a template var may be declared with (`var x duration`).
const TEMPLATE_VAR_TYPES: &[&str] = &[
    "int", "float", "bool", "string", "regex", "duration", "lambda", "list", "star",
];

/// The name of a value's type, as template var declarations spell it.
pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Duration(_) => "duration",
        Value::Regex(_) => "regex",
        Value::Star => "star",
        Value::Lambda(_) => "lambda",
        Value::List(_) => "list",
        Value::Node(_) => "node",
        Value::TimeDimension { .. } => "time dimension",
    }
}

impl Checker<'_> {
    /// Node 0, the root, and its name in scope.
    pub(super) fn add_root(&mut self, kind: Edge) {
        let Some(spec) = catalogue::node(kind.as_str()) else {
            return;
        };
        self.nodes.push(ir::Node {
            id: 0,
            spec,
            name: format!("{}0", spec.desc),
            parents: Vec::new(),
            children: Vec::new(),
            args: Vec::new(),
            properties: Vec::new(),
            handlers: Vec::new(),
            input: None,
            output: Some(kind),
            span: Span::new(0, 0),
        });
        self.scope.define(
            kind.as_str(),
            Var {
                value: Some(Value::Node(0)),
                defined_at: None,
            },
        );
    }

    /// `var name = value`: evaluated now; a value supplied from outside replaces it.
    pub(super) fn define_var(&mut self, name: &Ident, value: &Expr) {
        let redefined = self.check_not_defined(name);
        let mut evaluated = self.eval(value);
        if let Some(default) = &evaluated {
            let expected = type_name(default);
            match self.supplied(name, expected, Declared::ByDefault) {
                Supplied::Absent => {}
                Supplied::Accepted(value) => evaluated = Some(value),
                Supplied::Rejected => evaluated = None,
            }
        }
        if !redefined {
            self.scope.define(
                &name.name,
                Var {
                    value: evaluated,
                    defined_at: Some(name.span),
                },
            );
        }
    }

    /// `var name type`: a template var whose value must come from outside.
    pub(super) fn declare_template_var(&mut self, name: &Ident, ty: &Ident) {
        let redefined = self.check_not_defined(name);
        let value = if !TEMPLATE_VAR_TYPES.contains(&ty.name.as_str()) {
            let mut diagnostic = Diagnostic::error(
                "var-type",
                ty.span,
                format!("`{}` is not a var type", ty.name),
            )
            .with_hint(format!("var types are {}", TEMPLATE_VAR_TYPES.join(", ")));
            if let Some(close) = did_you_mean(&ty.name, TEMPLATE_VAR_TYPES.iter().copied()) {
                diagnostic =
                    diagnostic.with_fix(ty.span, close, format!("did you mean `{close}`?"));
            }
            self.report(diagnostic);
            None
        } else {
            match self.supplied(name, &ty.name, Declared::ByType) {
                Supplied::Accepted(value) => Some(value),
                Supplied::Rejected => None,
                Supplied::Absent => {
                    self.missing_var(name, ty);
                    None
                }
            }
        };
        if !redefined {
            self.scope.define(
                &name.name,
                Var {
                    value,
                    defined_at: Some(name.span),
                },
            );
        }
    }

    /// Reports a second definition of a name; true when `name` was already defined.
    fn check_not_defined(&mut self, name: &Ident) -> bool {
        let Some(existing) = self.scope.get(&name.name) else {
            return false;
        };
        let mut diagnostic = Diagnostic::error(
            "redefined",
            name.span,
            format!(
                "`{}` is already defined: vars cannot be redefined",
                name.name
            ),
        )
        .with_label("defined again here")
        .with_hint("give the new value another name");
        diagnostic = match existing.defined_at {
            Some(first) => diagnostic.with_secondary(first, "first defined here"),
            None => diagnostic.with_hint(format!(
                "`{}` is the root of the task's pipelines",
                name.name
            )),
        };
        self.report(diagnostic);
        true
    }

    /// The value a name stands for. `None` when it is undefined (reported here) or when its
    /// definition failed (reported there).
    pub(super) fn lookup(&mut self, name: &str, span: Span) -> Option<Value> {
        if let Some(var) = self.scope.get(name) {
            return var.value.clone();
        }
        // The other root than the task's kind: the task-kind error already says it all.
        if name == "stream" || name == "batch" {
            return None;
        }
        let diagnostic = self.undefined(name, span);
        self.report(diagnostic);
        None
    }

    fn undefined(&self, name: &str, span: Span) -> Diagnostic {
        let mut diagnostic =
            Diagnostic::error("undefined", span, format!("`{name}` is not defined"));
        match name {
            "null" | "none" | "previous" | "linear" => {
                return diagnostic.with_hint("fill options are strings").with_fix(
                    span,
                    format!("'{name}'"),
                    format!("write '{name}'"),
                );
            }
            "true" | "false" => {
                let upper = name.to_ascii_uppercase();
                return diagnostic
                    .with_hint("booleans are written TRUE and FALSE")
                    .with_fix(span, upper.clone(), format!("write {upper}"));
            }
            _ => {}
        }
        if let Some(close) = did_you_mean(name, self.scope.names()) {
            diagnostic = diagnostic.with_fix(span, close, format!("did you mean `{close}`?"));
        }
        let names: Vec<&str> = self.scope.names().collect();
        diagnostic.with_hint(format!("names in scope: {}", names.join(", ")))
    }

    /// The node a chain link applies to when its target is a name or another value.
    pub(super) fn cursor_of(&mut self, value: Value, span: Span) -> Option<Cursor> {
        match value {
            Value::Node(node) if node < self.nodes.len() => Some(Cursor {
                node,
                handler: None,
            }),
            other => {
                self.report(Diagnostic::error(
                    "not-a-node",
                    span,
                    format!(
                        "a {} has no nodes or properties to chain",
                        type_name(&other)
                    ),
                ));
                None
            }
        }
    }
}
