//! Vars supplied from outside the script (a task's vars, a vars file): they fill template var
//! declarations and override defaults under Kapacitor's rule (the types must be the same), and
//! a supplied name the script does not declare is reported, where Kapacitor ignores it.
//! Lambdas arrive as text (`"\"service\" == 'web'"`): [`lambda_from_text`] types them.

use super::scope::type_name;
use super::types::article;
use super::{CheckOptions, Checker};
use crate::ast::{ExprKind, Ident, Statement};
use crate::catalogue::did_you_mean;
use crate::diagnostic::Diagnostic;
use crate::ir::{Lambda, TypedExpr, TypedExprKind, Value};
use crate::span::Span;

/// What the outside supplied for one var.
pub(super) enum Supplied {
    /// Nothing: the script's default (or a missing value) stands.
    Absent,
    /// A value of the expected type.
    Accepted(Value),
    /// A value of another type (reported).
    Rejected,
}

/// How the script fixes a var's type.
#[derive(Debug, Clone, Copy)]
pub(super) enum Declared {
    /// `var x = default`: the default's type.
    ByDefault,
    /// `var x type`.
    ByType,
}

impl Checker<'_> {
    /// The value supplied for var `name`, whose type must be `expected` (the declared type or
    /// the default's, as `declared` says).
    pub(super) fn supplied(&mut self, name: &Ident, expected: &str, declared: Declared) -> Supplied {
        let Some(value) = self.options.vars.get(&name.name) else {
            return Supplied::Absent;
        };
        let got = type_name(value);
        if got == expected {
            // Spans of a supplied lambda point into its own text: the declaration stands for it.
            return Supplied::Accepted(relocated(value.clone(), name.span));
        }
        let (got_a, expected_a) = (article(got), article(expected));
        let (declared, label) = match declared {
            Declared::ByDefault => (
                format!("the script's default is {expected_a} {expected}"),
                format!("{expected_a} {expected} here"),
            ),
            Declared::ByType => (
                format!("it is declared {expected}"),
                format!("declared {expected} here"),
            ),
        };
        let diagnostic = Diagnostic::error(
            "var-type",
            name.span,
            format!(
                "the value supplied for var `{}`{} is {got_a} {got}, but {declared}",
                name.name,
                self.vars_origin()
            ),
        )
        .with_label(label);
        self.report(diagnostic);
        Supplied::Rejected
    }

    /// The error for a template var that nothing supplied.
    pub(super) fn missing_var(&mut self, name: &Ident, ty: &Ident) {
        let mut diagnostic = Diagnostic::error(
            "missing-var",
            name.span,
            format!("missing value for var `{}`{}", name.name, self.vars_origin()),
        )
        .with_label(format!("a template var of type {}", ty.name));
        diagnostic = match &self.options.vars_file {
            Some(file) => diagnostic.with_hint(format!(
                "add it to {file}: \"{}\": {{\"type\": \"{}\", \"value\": ...}}",
                name.name, ty.name
            )),
            None => diagnostic.with_hint("a template var takes its value from the task's vars (`--vars FILE`); give it a default instead with `var name = value`"),
        };
        self.report(diagnostic);
    }

    /// Warns about supplied vars the script does not declare (Kapacitor accepts them silently,
    /// so a misspelt name goes unnoticed there).
    pub(super) fn warn_unknown_vars(&mut self, statements: &[Statement]) {
        let declared: Vec<&str> = statements
            .iter()
            .filter_map(|s| match s {
                Statement::Var { name, .. } | Statement::TypedVar { name, .. } => {
                    Some(name.name.as_str())
                }
                _ => None,
            })
            .collect();
        let origin = self.vars_origin();
        let unknown: Vec<&String> = self
            .options
            .vars
            .keys()
            .filter(|name| !declared.contains(&name.as_str()))
            .collect();
        for name in unknown {
            let mut diagnostic = Diagnostic::warning(
                "unknown-var",
                Span::new(0, 0),
                format!("var `{name}`{origin} is not declared by the script"),
            )
            .with_hint("Kapacitor ignores it; the script declares vars with `var name type` or `var name = default`");
            if let Some(close) = did_you_mean(name, declared.iter().copied()) {
                diagnostic = diagnostic.with_hint(format!("did you mean `{close}`?"));
            }
            self.report(diagnostic);
        }
    }

    /// " in FILE" when the vars came from a file, for messages.
    fn vars_origin(&self) -> String {
        self.options
            .vars_file
            .as_ref()
            .map(|file| format!(" in {file}"))
            .unwrap_or_default()
    }
}

/// `value` with the spans of its lambdas moved to `span`.
fn relocated(value: Value, span: Span) -> Value {
    match value {
        Value::Lambda(lambda) => Value::Lambda(Lambda {
            body: relocated_expr(lambda.body, span),
            span,
        }),
        Value::List(items) => Value::List(items.into_iter().map(|v| relocated(v, span)).collect()),
        other => other,
    }
}

fn relocated_expr(expr: TypedExpr, span: Span) -> TypedExpr {
    let at = |e: Box<TypedExpr>| Box::new(relocated_expr(*e, span));
    let all = |args: Vec<TypedExpr>| args.into_iter().map(|a| relocated_expr(a, span)).collect();
    let kind = match expr.kind {
        TypedExprKind::Unary { op, operand } => TypedExprKind::Unary {
            op,
            operand: at(operand),
        },
        TypedExprKind::Binary { op, lhs, rhs } => TypedExprKind::Binary {
            op,
            lhs: at(lhs),
            rhs: at(rhs),
        },
        TypedExprKind::Call {
            function,
            args,
            state_slot,
        } => TypedExprKind::Call {
            function,
            args: all(args),
            state_slot,
        },
        TypedExprKind::UnknownCall { name, args } => TypedExprKind::UnknownCall {
            name,
            args: all(args),
        },
        leaf => leaf,
    };
    TypedExpr {
        kind,
        ty: expr.ty,
        span,
    }
}

/// The text a lambda var's value is written with in Kapacitor's vars (the lambda's body, with
/// no `lambda:`), typed as the checker types a lambda of a script. The diagnostics' spans
/// point into `lambda: TEXT`, which is what [`lambda_source`] returns.
pub fn lambda_from_text(text: &str) -> Result<Lambda, Vec<Diagnostic>> {
    let source = lambda_source(text);
    let (program, mut diagnostics) = crate::parser::parse(&source);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let body = match program.statements.as_slice() {
        [Statement::Expr(expr)] => match &expr.kind {
            ExprKind::Lambda(body) => Some((body, expr.span)),
            _ => None,
        },
        _ => None,
    };
    let Some((body, span)) = body else {
        let whole = Span::new(0, source.len());
        return Err(vec![Diagnostic::error(
            "var-type",
            whole,
            "a lambda var's value must be one expression, such as \"value\" > 5",
        )]);
    };
    let options = CheckOptions::default();
    let mut checker = Checker::new(&source, &options);
    let lambda = checker.lambda(body, span);
    diagnostics.append(&mut checker.diagnostics);
    match lambda {
        Some(lambda) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(lambda),
        _ => Err(diagnostics),
    }
}

/// The source [`lambda_from_text`] checks: the text behind `lambda: `.
pub fn lambda_source(text: &str) -> String {
    format!("lambda: {text}")
}

#[cfg(test)]
mod tests {
    use super::super::check_source;
    use super::*;
    use crate::vars::{Syntax, parse};

    /// A template with a var of every type, and a default.
    const TEMPLATE: &str = r#"dbrp "telegraf"."autogen"
var measurement string
var crit float
var history int
var period duration
var where_filter lambda
var groups list
var host_re regex
var all star
var keep bool
var message = 'cpu is high'
stream
    |from()
        .measurement(measurement)
        .where(where_filter)
        .groupBy(groups)
    |where(lambda: "host" =~ host_re AND keep)
    |groupBy(all)
    |window()
        .period(period)
        .every(period)
    |mean('usage_idle')
    |alert()
        .crit(lambda: "mean" < crit)
        .history(history)
        .message(message)
        .log('/tmp/alerts.log')
"#;

    const VARS: &str = r#"{
        "measurement": {"type": "string", "value": "cpu"},
        "crit": {"type": "float", "value": 60},
        "history": {"type": "int", "value": 5},
        "period": {"type": "duration", "value": "5m"},
        "where_filter": {"type": "lambda", "value": "\"service\" == 'web'"},
        "groups": {"type": "list", "value": [{"type": "string", "value": "host"}, {"type": "string", "value": "dc"}]},
        "host_re": {"type": "regex", "value": "^web"},
        "all": {"type": "star", "value": null},
        "keep": {"type": "bool", "value": true}
    }"#;

    fn options(vars: &str) -> CheckOptions {
        let file = parse(vars, Syntax::Json, "web.json").expect("valid vars");
        CheckOptions {
            vars: file.vars,
            vars_file: Some(file.name),
            ..CheckOptions::default()
        }
    }

    /// `severity code line:col: message` and hints, one per line.
    fn render(source: &str, options: &CheckOptions) -> String {
        let checked = check_source(source, options);
        let mut out = String::new();
        for d in &checked.diagnostics {
            let at = crate::span::line_col(source, d.span.start);
            out += &format!("{:?} {} {}:{}: {}\n", d.severity, d.code, at.line, at.column, d.message);
            for hint in &d.hints {
                out += &format!("  hint: {hint}\n");
            }
        }
        out
    }

    fn property(task: &crate::ir::Task, node: &str, name: &str) -> Option<Vec<Value>> {
        let node = task.nodes.iter().find(|n| n.name == node)?;
        node.property(name).map(|p| p.args.clone())
    }

    #[test]
    fn every_var_type_fills_the_template() {
        let checked = check_source(TEMPLATE, &options(VARS));
        assert_eq!(render(TEMPLATE, &options(VARS)), "");
        let task = checked.task.expect("a task");
        assert_eq!(property(&task, "from1", "measurement"), Some(vec![Value::String("cpu".into())]));
        assert_eq!(
            property(&task, "from1", "groupBy"),
            Some(vec![Value::String("host".into()), Value::String("dc".into())])
        );
        assert_eq!(task.nodes[3].args, vec![Value::Star]);
        assert_eq!(property(&task, "window4", "period"), Some(vec![Value::Duration(300_000_000_000)]));
        assert_eq!(property(&task, "alert6", "history"), Some(vec![Value::Int(5)]));
        assert_eq!(property(&task, "alert6", "message"), Some(vec![Value::String("cpu is high".into())]));
        let crit = property(&task, "alert6", "crit");
        let Some([Value::Lambda(crit)]) = crit.as_deref() else {
            panic!("a crit lambda");
        };
        assert!(format!("{:?}", crit.body).contains("Float(60.0)"), "{crit:?}");
        // The supplied lambda stands at its declaration in the script.
        let filter = property(&task, "from1", "where");
        let Some([Value::Lambda(filter)]) = filter.as_deref() else {
            panic!("a where lambda");
        };
        let declared = TEMPLATE.find("where_filter lambda").expect("declared");
        assert_eq!(filter.span.start, declared);
        let where_node = format!("{:?}", task.nodes[2].args);
        assert!(where_node.contains("Regex(\"^web\")") && where_node.contains("Bool(true)"), "{where_node}");
    }

    #[test]
    fn a_supplied_value_overrides_a_default() {
        let vars = VARS.replacen("{", r#"{"message": {"type": "string", "value": "web cpu"},"#, 1);
        let task = check_source(TEMPLATE, &options(&vars)).task.expect("a task");
        assert_eq!(property(&task, "alert6", "message"), Some(vec![Value::String("web cpu".into())]));
    }

    #[test]
    fn missing_wrong_and_unknown_vars() {
        let vars = r#"{
            "measurement": {"type": "int", "value": 1},
            "message": {"type": "bool", "value": true},
            "perod": {"type": "duration", "value": "1m"}
        }"#;
        let script = "dbrp \"telegraf\".\"autogen\"\nvar measurement string\nvar period duration\nvar message = 'high'\nstream\n    |from()\n        .measurement(measurement)\n    |window()\n        .period(period)\n        .every(period)\n";
        insta::assert_snapshot!(render(script, &options(vars)), @r#"
        Warning unknown-var 1:1: var `perod` in web.json is not declared by the script
          hint: Kapacitor ignores it; the script declares vars with `var name type` or `var name = default`
          hint: did you mean `period`?
        Error var-type 2:5: the value supplied for var `measurement` in web.json is an int, but it is declared string
        Error missing-var 3:5: missing value for var `period` in web.json
          hint: add it to web.json: "period": {"type": "duration", "value": ...}
        Error var-type 4:5: the value supplied for var `message` in web.json is a bool, but the script's default is a string
        "#);
    }

    #[test]
    fn lambda_text_is_typed_or_reported() {
        let lambda = lambda_from_text("\"usage_idle\" < 70.0 AND isPresent(\"host\")").expect("a lambda");
        assert!(matches!(lambda.body.kind, TypedExprKind::Binary { .. }));
        let errors = lambda_from_text("\"a\" > threshold").unwrap_err();
        assert!(errors.iter().any(|d| d.code == "undefined"), "{errors:?}");
        let two = lambda_from_text("TRUE\nvar x = 1").unwrap_err();
        assert!(two.iter().any(|d| d.is_error()), "{two:?}");
    }

    #[test]
    fn dbrps_beside_the_script() {
        let outside = |db: &str| crate::ir::Dbrp {
            database: db.into(),
            retention_policy: "autogen".into(),
            span: Span::default(),
        };
        let bare = "stream\n    |from()\n        .measurement('cpu')\n";
        let given = CheckOptions { dbrps: vec![outside("telegraf")], ..CheckOptions::default() };
        let task = check_source(bare, &given).task.expect("a task");
        assert_eq!(task.dbrps.first().map(|d| d.database.as_str()), Some("telegraf"));
        assert_eq!(render(bare, &given), "");
        let with_line = format!("dbrp \"telegraf\".\"autogen\"\n{bare}");
        assert_eq!(render(&with_line, &given), "");
        let other = CheckOptions { dbrps: vec![outside("other")], ..CheckOptions::default() };
        insta::assert_snapshot!(render(&with_line, &other), @r#"
        Error dbrp 1:1: the script's dbrp lines differ from the task's dbrps "other"."autogen"
          hint: Kapacitor takes dbrps from the script or from the task, not both: drop one of them
        "#);
    }
}
