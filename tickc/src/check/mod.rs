//! Checker: resolves vars, validates every node, property and lambda against the catalogue,
//! and builds the IR task.
//!
//! It follows Kapacitor's evaluation order (statements top to bottom, a chain left to right) so
//! node ids and names match Kapacitor's, but it keeps going after a problem to report every one.
//! Errors are reserved for what Kapacitor rejects when a task is defined or started; what
//! Kapacitor accepts and then fails on at run time (a type error in a lambda that depends on the
//! data, an unknown function) is a warning, and the task keeps Kapacitor's run-time behaviour.

mod args;
mod chain;
mod eval;
mod fold;
mod lambda;
mod observe;
mod operators;
mod quoting;
mod scope;
mod task_kind;
mod templates;
mod types;
mod validate;
mod vars;

pub use vars::{lambda_from_text, lambda_source};

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{Program, Statement};
use crate::catalogue::{Edge, Since};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Value};
use crate::span::Span;

use scope::Scope;

/// What the checker is told from outside the script.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Values for the script's vars, as a task made from a template supplies them: they fill
    /// `var x <type>` declarations and override `var x = default` ones (types must match).
    pub vars: BTreeMap<String, Value>,
    /// Where `vars` came from (a vars file's name), for messages about them.
    pub vars_file: Option<String>,
    /// The task's databases when given beside the script (Kapacitor's `-dbrp`, a manifest's
    /// `dbrps`): they stand for `dbrp` lines; a script with its own must name the same ones.
    pub dbrps: Vec<ir::Dbrp>,
}

/// The outcome of checking: every diagnostic, and the task when there is no error.
#[derive(Debug, Clone)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    pub task: Option<ir::Task>,
}

/// Checks a parsed script.
pub fn check(program: &Program, source: &str, options: &CheckOptions) -> Checked {
    let mut checker = Checker::new(source, options);
    let task = checker.run(program);
    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    let task = task.filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    Checked { diagnostics, task }
}

/// Parses then checks a script. A script that does not parse is not checked: its syntax
/// errors alone are reported, since checking a partial tree would mostly report their echoes.
pub fn check_source(source: &str, options: &CheckOptions) -> Checked {
    let (program, mut diagnostics) = crate::parser::parse(source);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Checked {
            diagnostics,
            task: None,
        };
    }
    let mut checked = check(&program, source, options);
    diagnostics.append(&mut checked.diagnostics);
    Checked {
        diagnostics,
        task: checked.task,
    }
}

/// A position in the pipeline that a chain link applies to: a node, and the alert handler
/// the previous link started, whose properties come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    node: ir::NodeId,
    handler: Option<usize>,
}

/// The state of one check: what has been built so far and what was found wrong.
struct Checker<'a> {
    source: &'a str,
    options: &'a CheckOptions,
    diagnostics: Vec<Diagnostic>,
    scope: Scope,
    /// The task kind, once the root identifiers agree on one.
    kind: Option<Edge>,
    nodes: Vec<ir::Node>,
    /// Nodes with a property or argument already reported wrong: their whole-node rules
    /// would mostly echo that error, so they are not checked.
    tainted: BTreeSet<ir::NodeId>,
    /// Names used as fields elsewhere in the script, for the quoting lint.
    field_names: BTreeSet<String>,
}

impl<'a> Checker<'a> {
    fn new(source: &'a str, options: &'a CheckOptions) -> Self {
        Checker {
            source,
            options,
            diagnostics: Vec::new(),
            scope: Scope::default(),
            kind: None,
            nodes: Vec::new(),
            tainted: BTreeSet::new(),
            field_names: BTreeSet::new(),
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Warns when a script uses something Kapacitor 1.5 (the reference) does not have.
    fn check_since(&mut self, since: Since, what: &str, span: Span) {
        if since > Since::V1_5 {
            self.report(
                Diagnostic::warning(
                    "newer-kapacitor",
                    span,
                    format!("{what} is new in Kapacitor 1.6"),
                )
                .with_hint("Kapacitor 1.5 rejects this script"),
            );
        }
    }

    /// Takes the databases given beside the script when it names none; Kapacitor refuses both
    /// at once, tickc accepts both when they agree (an imported task carries its script's).
    fn add_outside_dbrps(&mut self, dbrps: &mut Vec<ir::Dbrp>) {
        let outside = &self.options.dbrps;
        if dbrps.is_empty() {
            dbrps.clone_from(outside);
            return;
        }
        let key = |d: &ir::Dbrp| (d.database.clone(), d.retention_policy.clone());
        let script: BTreeSet<_> = dbrps.iter().map(key).collect();
        let given: BTreeSet<_> = outside.iter().map(key).collect();
        if !outside.is_empty() && script != given {
            let names: Vec<String> = outside.iter().map(|d| format!("\"{}\".\"{}\"", d.database, d.retention_policy)).collect();
            let first = dbrps.first().map_or(Span::new(0, 0), |d| d.span);
            self.report(
                Diagnostic::error("dbrp", first, format!("the script's dbrp lines differ from the task's dbrps {}", names.join(", ")))
                    .with_hint("Kapacitor takes dbrps from the script or from the task, not both: drop one of them"),
            );
        }
    }

    fn run(&mut self, program: &Program) -> Option<ir::Task> {
        self.field_names = quoting::field_names(program);
        match task_kind::infer(program, self.source) {
            Ok(kind) => {
                self.kind = Some(kind);
                self.add_root(kind);
            }
            Err(diagnostic) => self.report(*diagnostic),
        }
        let mut dbrps = Vec::new();
        for statement in &program.statements {
            match statement {
                Statement::Var { name, value, .. } => self.define_var(name, value),
                Statement::TypedVar { name, ty, .. } => self.declare_template_var(name, ty),
                Statement::Dbrp {
                    database,
                    retention_policy,
                    span,
                } => dbrps.push(ir::Dbrp {
                    database: database.name.clone(),
                    retention_policy: retention_policy.name.clone(),
                    span: *span,
                }),
                Statement::Expr(expr) => {
                    // A statement's value is dropped; evaluating it builds its nodes.
                    let _ = self.eval(expr);
                }
            }
        }
        self.warn_unknown_vars(&program.statements);
        self.add_outside_dbrps(&mut dbrps);
        if dbrps.is_empty() && !program.statements.is_empty() {
            self.report(
                Diagnostic::warning("no-dbrp", Span::new(0, 0), "the script names no database")
                    .with_hint("add a line such as `dbrp \"telegraf\".\"autogen\"`: a task reads only the databases and retention policies it names (Kapacitor then needs them from the command line)"),
            );
        }
        self.validate_nodes();
        self.check_templates();
        let kind = self.kind?;
        Some(ir::Task {
            kind,
            dbrps,
            nodes: std::mem::take(&mut self.nodes),
        })
    }
}
