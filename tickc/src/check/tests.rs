//! Checker tests: one per class of diagnostic (snapshots of a compact rendering), the IR of
//! small tasks, and the conformance corpus (every case the reference rejects must be
//! rejected, every other case must check without error).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{CheckOptions, Checked, check_source};
use crate::diagnostic::Severity;
use crate::ir::{StaticType, TypedExprKind, Value};
use crate::span::line_col;

/// `severity code line:col: message`, then labels, hints and the fix, one per line.
fn render(source: &str, checked: &Checked) -> String {
    let mut out = String::new();
    for d in &checked.diagnostics {
        let at = line_col(source, d.span.start);
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            out,
            "{severity} {} {}:{}: {}",
            d.code, at.line, at.column, d.message
        );
        if let Some(label) = &d.label {
            let _ = writeln!(out, "  label: {label}");
        }
        for label in &d.labels {
            let at = line_col(source, label.span.start);
            let _ = writeln!(out, "  at {}:{}: {}", at.line, at.column, label.message);
        }
        for hint in &d.hints {
            let _ = writeln!(out, "  hint: {hint}");
        }
        if let Some(fix) = &d.fix {
            let _ = writeln!(
                out,
                "  fix: replace {:?} with {:?} ({})",
                &source[fix.span.range()],
                fix.replacement,
                fix.message
            );
        }
    }
    out
}

fn run(source: &str) -> String {
    render(source, &check_source(source, &CheckOptions::default()))
}

/// A stream script with the usual dbrp and from, followed by `rest`.
fn stream(rest: &str) -> String {
    format!("dbrp \"telegraf\".\"autogen\"\nstream\n    |from()\n        .measurement('m')\n{rest}")
}

#[test]
fn a_clean_task_has_no_diagnostics_and_builds_the_ir() {
    let source = stream(
        "    |window()\n        .period(10s)\n        .every(10s)\n    |mean('v')\n    |alert()\n        .crit(lambda: \"mean\" > 10)\n        .log('/tmp/a.log')\n",
    );
    let checked = check_source(&source, &CheckOptions::default());
    assert_eq!(render(&source, &checked), "");
    let task = checked.task.expect("a task");
    let names: Vec<&str> = task.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["stream0", "from1", "window2", "mean3", "alert4"]);
    assert_eq!(task.dbrps[0].database, "telegraf");
    assert_eq!(task.nodes[4].handlers[0].spec.name, "log");
    assert_eq!(task.nodes[3].input, Some(crate::catalogue::Edge::Batch));
    assert_eq!(task.nodes[3].output, Some(crate::catalogue::Edge::Stream));
    assert_eq!(task.nodes[2].children, [3]);
}

#[test]
fn vars_hold_values_nodes_and_lambdas() {
    let source = "dbrp \"db\".\"rp\"\nvar period = 5m * 2\nvar tags = ['host', 'dc']\nvar limit = 10\nvar f = lambda: \"v\" > limit\nvar data = stream\n    |from()\n        .groupBy(tags)\n        .where(f)\ndata\n    |window()\n        .period(period)\n        .every(period)\n    |count('v')\ndata\n    |where(lambda: sigma(\"v\") > 2.0 AND count() > limit)\n";
    let checked = check_source(source, &CheckOptions::default());
    assert_eq!(render(source, &checked), "");
    let task = checked.task.expect("a task");
    assert_eq!(task.nodes[1].children, [2, 4]);
    assert_eq!(
        task.nodes[2].property("period").map(|p| &p.args[..]),
        Some(&[Value::Duration(600_000_000_000)][..])
    );
    let group_by = task.nodes[1].property("groupBy").expect("groupBy");
    assert_eq!(
        group_by.args,
        [Value::String("host".into()), Value::String("dc".into())]
    );
    let Some(Value::Lambda(lambda)) = task.nodes[4].args.first() else {
        panic!("where takes a lambda")
    };
    let TypedExprKind::Binary { lhs, rhs, .. } = &lambda.body.kind else {
        panic!("AND")
    };
    let slot = |e: &crate::ir::TypedExpr| match &e.kind {
        TypedExprKind::Binary { lhs, .. } => match &lhs.kind {
            TypedExprKind::Call { state_slot, .. } => *state_slot,
            _ => None,
        },
        _ => None,
    };
    assert_eq!((slot(lhs), slot(rhs)), (Some(0), Some(1)));
    assert_eq!(
        lambda.body.ty,
        StaticType::Known(crate::catalogue::ValueType::Bool)
    );
}

#[test]
fn constant_expressions_fold() {
    let source = "dbrp \"db\".\"rp\"\nvar d = 90s\nvar m = 'took ' + string(d)\nstream\n    |from()\n    |alert()\n        .message(m)\n        .crit(lambda: TRUE)\n";
    let checked = check_source(source, &CheckOptions::default());
    assert_eq!(render(source, &checked), "");
    let task = checked.task.expect("a task");
    assert_eq!(
        task.nodes[2].property("message").map(|p| p.args.clone()),
        Some(vec![Value::String("took 90s".into())])
    );
}

#[test]
fn template_vars_come_from_options() {
    let source = "dbrp \"db\".\"rp\"\nvar measurement string\nvar crit = 70.0\nstream\n    |from()\n        .measurement(measurement)\n    |alert()\n        .crit(lambda: \"v\" > crit)\n";
    insta::assert_snapshot!(run(source));
    let mut options = CheckOptions::default();
    options
        .vars
        .insert("measurement".into(), Value::String("cpu".into()));
    options.vars.insert("crit".into(), Value::Float(60.0));
    let checked = check_source(source, &options);
    assert_eq!(render(source, &checked), "");
    let task = checked.task.expect("a task");
    assert_eq!(
        task.nodes[1]
            .property("measurement")
            .map(|p| p.args.clone()),
        Some(vec![Value::String("cpu".into())])
    );
    options
        .vars
        .insert("crit".into(), Value::String("high".into()));
    insta::assert_snapshot!(render(source, &check_source(source, &options)));
}

#[test]
fn bad_var_type_name() {
    insta::assert_snapshot!(run("dbrp \"db\".\"rp\"\nvar x integer\nstream|from()\n"));
}

#[test]
fn undefined_names_suggest_and_list_the_scope() {
    insta::assert_snapshot!(run(&stream("    |window()\n        .period(peroid)\n")));
}

#[test]
fn undefined_name_in_a_lambda_suggests_a_reference() {
    insta::assert_snapshot!(run(&stream("    |where(lambda: usage_idle > 10)\n")));
}

#[test]
fn vars_are_immutable() {
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nvar x = 1\nvar x = 2\nvar stream = 3\nstream|from()\n"
    ));
}

#[test]
fn task_kind_problems() {
    insta::assert_snapshot!(run("dbrp \"db\".\"rp\"\nvar x = 1\n"));
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nstream|from()\nbatch|query('SELECT * FROM x')\n"
    ));
    insta::assert_snapshot!(run("stream|from()\n"));
}

#[test]
fn wrong_operator_says_which_is_right() {
    insta::assert_snapshot!(run(&stream(
        "    |alert()\n    |crit(lambda: \"f\" > 2.0)\n"
    )));
    insta::assert_snapshot!(run(&stream("    .window()\n")));
}

#[test]
fn unknown_node_and_property() {
    insta::assert_snapshot!(run(&stream(
        "    |window()\n        .period(1m)\n    |average('f')\n"
    )));
    insta::assert_snapshot!(run(&stream("        .limit(10)\n")));
    insta::assert_snapshot!(run(&stream(
        "    |alert()\n        .crit(lambda: TRUE)\n        .log('/tmp/x')\n            .mod(0644)\n"
    )));
}

#[test]
fn handler_properties_then_node_properties() {
    let source = stream(
        "    |alert()\n        .log('/tmp/x')\n            .mode(0644)\n        .crit(lambda: TRUE)\n        .post('http://x')\n            .header('k', 'v')\n        .stateChangesOnly()\n",
    );
    let checked = check_source(&source, &CheckOptions::default());
    assert_eq!(render(&source, &checked), "");
    let task = checked.task.expect("a task");
    let alert = &task.nodes[2];
    assert_eq!(alert.handlers.len(), 2);
    assert_eq!(alert.handlers[0].properties[0].args, [Value::Int(0o644)]);
    assert!(alert.property("stateChangesOnly").is_some());
}

#[test]
fn udfs_are_unsupported() {
    insta::assert_snapshot!(run(&stream("    @myUDF()\n        .field('x')\n")));
}

#[test]
fn misplaced_nodes() {
    insta::assert_snapshot!(run("dbrp \"db\".\"rp\"\nstream\n    |window()\n"));
    insta::assert_snapshot!(run(&stream("    |query('SELECT 1')\n")));
    insta::assert_snapshot!(run(&stream("    |influxDBOut()\n    |log()\n")));
}

#[test]
fn argument_counts_and_types() {
    insta::assert_snapshot!(run(&stream(
        "    |window()\n        .period(10s)\n    |holtWinters('f', 3)\n"
    )));
    insta::assert_snapshot!(run(&stream(
        "    |window()\n        .period(10s)\n    |top(2.5, 'f')\n"
    )));
    insta::assert_snapshot!(run(&stream(
        "    |window()\n        .period(10s)\n    |percentile('f', 95)\n"
    )));
    insta::assert_snapshot!(run(&stream("    |sample(1.5)\n")));
    insta::assert_snapshot!(run(&stream(
        "    |alert()\n        .crit('\"f\" > 2.0')\n        .stateChangesOnly('5s')\n"
    )));
}

#[test]
fn double_quoted_strings() {
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nstream\n    |from()\n        .measurement(\"m\")\n"
    ));
    insta::assert_snapshot!(run(&stream(
        "    |where(lambda: \"host\" == \"server1\")\n"
    )));
    // "b" is a field elsewhere: comparing two fields is meant.
    assert_eq!(
        run(&stream(
            "    |where(lambda: \"a\" == \"b\" AND \"b\" > 0)\n"
        )),
        ""
    );
}

#[test]
fn edge_mismatches() {
    insta::assert_snapshot!(run(&stream(
        "    |window()\n        .period(3s)\n    |window()\n        .period(6s)\n"
    )));
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nvar a = stream|from().measurement('a')\nvar b = stream|from().measurement('b')|window().period(1s)\na\n    |join(b)\n        .as('a', 'b')\n"
    ));
}

#[test]
fn node_rules() {
    insta::assert_snapshot!(run(&stream("    |window()\n        .every(10s)\n")));
    insta::assert_snapshot!(run(&stream(
        "    |window()\n        .period(10s)\n        .periodCount(5)\n"
    )));
    insta::assert_snapshot!(run(&stream("    |window()\n        .periodCount(3)\n")));
    insta::assert_snapshot!(run(&stream(
        "    |eval(lambda: \"v\" * 2, lambda: \"v\" * 3)\n        .as('a')\n        .tags('b')\n"
    )));
    insta::assert_snapshot!(run(&stream(
        "    |groupBy('host')\n        .exclude('dc')\n"
    )));
    insta::assert_snapshot!(run(&stream("    |alert()\n        .flapping(0.5, 1.5)\n")));
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nvar a = stream|from()\nvar b = stream|from()\na|join(b)\n"
    ));
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nbatch\n    |query('SELECT v FROM m')\n        .period(1m)\n"
    ));
}

/// Exactly one of idle and period, greater than zero.
#[test]
fn barrier_rules() {
    let errors = |props: &str| {
        let checked = run(&stream(&format!("    |barrier(){props}\n")));
        checked
            .lines()
            .filter(|l| l.starts_with("error"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    insta::assert_snapshot!(
        [
            "",
            "\n        .idle(-1s)",
            "\n        .period(-1s)",
            "\n        .idle(1s)\n        .period(1s)",
            "\n        .idle(1s)\n        .delete(TRUE)",
            "\n        .period(1s)",
        ]
        .map(|props| format!("{props:?}: {:?}", errors(props)))
        .join("\n"),
        @r#"
    "": ["error invalid-node 5:5: a barrier needs `.idle(d)` or `.period(d)`"]
    "\n        .idle(-1s)": ["error invalid-node 6:9: a barrier's `.idle` must be greater than zero"]
    "\n        .period(-1s)": ["error invalid-node 6:9: a barrier's `.period` must be greater than zero"]
    "\n        .idle(1s)\n        .period(1s)": ["error invalid-node 7:9: a barrier takes `.idle` or `.period`, not both"]
    "\n        .idle(1s)\n        .delete(TRUE)": []
    "\n        .period(1s)": []
    "#
    );
}

#[test]
fn lambda_types() {
    insta::assert_snapshot!(run(&stream("    |where(lambda: 1 + 1.0 > 0)\n")));
    insta::assert_snapshot!(run(&stream(
        "    |where(lambda: abs(1) > 0.0 AND \"s\" =~ 'x')\n"
    )));
    insta::assert_snapshot!(run(&stream("    |where(lambda: nosuch(\"v\") > 0)\n")));
    insta::assert_snapshot!(run(&stream(
        "    |alert()\n        .crit(lambda: \"x\" * 2.0)\n"
    )));
}

/// The conformance corpus, found beside the workspace (`shared/conformance` in an ancestor).
fn conformance_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TICKC_CONFORMANCE") {
        return Some(PathBuf::from(dir));
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/conformance"))
        .find(|p| p.is_dir())
}

/// Cases the reference rejects only with information the checker cannot have (none yet).
const REJECTED_AT_RUN_TIME: &[(&str, &str)] = &[];

#[test]
fn conformance_cases_are_accepted_or_rejected_as_the_reference_does() {
    let Some(root) = conformance_dir() else {
        eprintln!("no conformance corpus found; set TICKC_CONFORMANCE");
        return;
    };
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("the conformance folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    if let Some(bench) = root
        .parent()
        .map(|s| s.join("bench/tasks"))
        .filter(|p| p.is_dir())
    {
        cases.push(bench);
    }
    cases.sort();
    let mut mismatches = Vec::new();
    let mut checked_count = 0;
    for case in cases {
        let rejected = case.join("expected/error.txt").is_file();
        let scripts = std::fs::read_dir(&case)
            .expect("a case folder")
            .filter_map(Result::ok)
            .map(|e| e.path());
        for script in scripts.filter(|p| p.extension().is_some_and(|e| e == "tick")) {
            let name = script
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_owned();
            if REJECTED_AT_RUN_TIME.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let source = std::fs::read_to_string(&script).expect("a script");
            let checked = check_source(&source, &CheckOptions::default());
            checked_count += 1;
            let has_error = checked.diagnostics.iter().any(|d| d.is_error());
            if has_error != rejected {
                let why = if rejected {
                    "accepted, the reference rejects it".to_owned()
                } else {
                    render(&source, &checked)
                };
                mismatches.push(format!("{name}: {why}"));
            }
        }
    }
    assert!(
        checked_count > 0,
        "no scripts found under {}",
        root.display()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn constant_expression_errors() {
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nvar a = 1 / 0\nvar b = 'x' + 1\nvar c = \"x\" + 'y'\nvar d = abs(1.0)\nstream|from()\n"
    ));
}

#[test]
fn values_that_do_not_fit_a_lambda() {
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nvar tags = ['a']\nvar s = stream|from()\ns|where(lambda: tags == 'a' OR s > 1)\n"
    ));
}

#[test]
fn properties_need_parentheses() {
    insta::assert_snapshot!(run(&stream(
        "    |window()\n        .period(1m)\n        .align\n"
    )));
}

#[test]
fn newer_kapacitor_features_are_flagged() {
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nbatch\n    |query('SELECT v FROM m')\n        .every(1m)\n    |trickle()\n"
    ));
}

#[test]
fn query_group_by_takes_time_dimensions() {
    let source = "dbrp \"db\".\"rp\"\nbatch\n    |query('SELECT mean(v) FROM m')\n        .period(5m)\n        .every(1m)\n        .groupBy(time(1m, 10s), 'host')\n        .fill('none')\n";
    let checked = check_source(source, &CheckOptions::default());
    assert_eq!(render(source, &checked), "");
    let task = checked.task.expect("a task");
    assert_eq!(task.kind, crate::catalogue::Edge::Batch);
    let group_by = task.nodes[1].property("groupBy").expect("groupBy");
    assert_eq!(
        group_by.args[0],
        Value::TimeDimension {
            every: 60_000_000_000,
            offset: 10_000_000_000
        }
    );
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nbatch\n    |query('SELECT v FROM m')\n        .every(1m)\n        .groupBy(time(1m), time(2m))\n"
    ));
    insta::assert_snapshot!(run(
        "dbrp \"db\".\"rp\"\nbatch\n    |query('SELECT v FROM m')\n        .every(1m)\n        .fill(null)\n"
    ));
}
