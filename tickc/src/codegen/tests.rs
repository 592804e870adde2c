//! Golden files of generated code (the getting-started tasks, small scripts), and a sweep over
//! the conformance cases: everything that checks clean generates code that parses, or is
//! reported as not supported yet.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{generate, generate_file};
use crate::check::{CheckOptions, check_source};
use crate::diagnostic::Diagnostic;
use crate::ir::Task;
use crate::span::line_col;

/// A folder of the shared corpus (`shared/conformance`, `shared/bench/tasks`), found in an
/// ancestor of the crate: beside the repository in a checkout or a worktree.
fn shared(folder: &str) -> PathBuf {
    let found = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared").join(folder))
        .find(|p| p.is_dir());
    found.unwrap_or_else(|| panic!("no shared/{folder} above {}", env!("CARGO_MANIFEST_DIR")))
}

/// The task of a script, or its error diagnostics.
fn compile(script: &str) -> Result<Task, Vec<Diagnostic>> {
    let checked = check_source(script, &CheckOptions::default());
    checked.task.ok_or(checked.diagnostics)
}

/// What a reader of a golden file wants: the generated module, or the errors with positions.
fn outcome(script: &str, task_id: &str) -> String {
    let result = compile(script).and_then(|task| generate_file(&task, task_id, script));
    match result {
        Ok(code) => code,
        Err(diagnostics) => diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                let at = line_col(script, d.span.start);
                format!(
                    "error[{}] {}:{}: {}\n",
                    d.code, at.line, at.column, d.message
                )
            })
            .collect(),
    }
}

fn bench_task(name: &str) -> String {
    let path = shared("bench/tasks").join(format!("{name}.tick"));
    let script =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    outcome(&script, name)
}

#[test]
fn getting_started_cpu_alert() {
    insta::assert_snapshot!("cpu_alert", bench_task("cpu_alert"));
}

#[test]
fn getting_started_cpu_alert_sigma() {
    insta::assert_snapshot!("cpu_alert_sigma", bench_task("cpu_alert_sigma"));
}

#[test]
fn getting_started_cpu_p95() {
    insta::assert_snapshot!("cpu_p95", bench_task("cpu_p95"));
}

#[test]
fn window_and_aggregates() {
    let script = "dbrp \"telegraf\".\"autogen\"\n\
        stream\n    |from()\n    |window()\n        .period(1m)\n        .every(30s)\n        .align()\n\
        \x20   |mean('usage')\n        .as('avg')\n    |derivative('avg')\n        .unit(1m)\n        .nonNegative()\n";
    insta::assert_snapshot!(
        "window_mean_derivative",
        outcome(script, "window_mean_derivative")
    );
}

/// Two queries (every property of the node between them): the descriptor lists their configs
/// in node order and `push_batch` numbers them the same way.
#[test]
fn batch_queries() {
    let script = "dbrp \"db\".\"autogen\"\n\
        var a = batch\n    |query('SELECT mean(v) FROM \"db\".\"autogen\".\"m\"')\n        .period(5m)\n        .every(1m)\n\
        \x20       .align()\n        .offset(30s)\n        .alignGroup()\n        .groupBy(time(1m, 10s), 'host')\n\
        \x20       .groupByMeasurement()\n        .fill(0.5)\n\
        var b = batch\n    |query('SELECT v FROM \"db\".\"autogen\".\"n\"')\n        .period(1h)\n        .cron('0 * * * *')\n\
        \x20       .groupBy(*)\n        .fill('previous')\n\
        a\n    |join(b)\n        .as('a', 'b')\n    |log()\n";
    insta::assert_snapshot!("batch_queries", outcome(script, "batch_queries"));
}

#[test]
fn a_node_with_two_children_clones_for_the_first() {
    let script = "dbrp \"db\".\"rp\"\nvar w = stream\n    |from()\n    |window()\n        .periodCount(3)\n        .everyCount(1)\n\
        w\n    |top(2, 'v', 'host')\nw\n    |percentile('v', 90.0)\n    |holtWintersWithFit('percentile', 3, 0, 1m)\n";
    let code = outcome(script, "fan_out");
    let wiring = code.split("fn push_window2").nth(1).unwrap_or_default();
    assert!(
        wiring.contains("self.push_top3(msg.clone());\n            self.push_percentile4(msg);"),
        "{code}"
    );
    assert!(code.contains("holt_winters5: rt::Wired::new("), "{code}");
    assert!(
        code.contains("self.holt_winters5.stats(\"holtWinters5\")"),
        "{code}"
    );
    assert!(code.contains("method: rt::Method::Top {\n"), "{code}");
    assert!(
        code.contains("distinct_by: vec![String::from(\"host\")]"),
        "{code}"
    );
    assert!(
        code.contains("method: rt::Method::Percentile(90.0)"),
        "{code}"
    );
    assert!(
        code.contains("as_name: String::from(\"holtWinters\")"),
        "{code}"
    );
    assert!(code.contains("with_fit: true"), "{code}");
}

#[test]
fn an_eval_longer_than_a_tuple_gets_its_own_expression_list() {
    let lambdas: Vec<String> = (0..13).map(|i| format!("lambda: \"v\" + {i}")).collect();
    let names: Vec<String> = (0..13).map(|i| format!("'r{i}'")).collect();
    let script = format!(
        "dbrp \"db\".\"rp\"\nstream\n    |from()\n    |eval({})\n        .as({})\n",
        lambdas.join(", "),
        names.join(", ")
    );
    let code = outcome(&script, "t");
    assert!(
        code.contains("eval2: rt::Wired<rt::EvalNode<Eval2Expressions>>"),
        "{code}"
    );
    assert!(
        code.contains("impl rt::Expressions for Eval2Expressions {"),
        "{code}"
    );
    assert!(code.contains("const LEN: usize = 13;"), "{code}");
    assert!(code.contains("12 => {\n                Some(\n                    rt::Lambda::eval(&self.12, scope, &mut state.12)"), "{code}");
    let short = outcome(
        "dbrp \"db\".\"rp\"\nstream\n    |from()\n    |eval(lambda: 1, lambda: 2)\n        .as('a', 'b')\n",
        "t",
    );
    assert!(
        short.contains("rt::EvalNode<(Eval2Expr0, Eval2Expr1)>"),
        "{short}"
    );
}

#[test]
fn unsupported_nodes_are_reported_at_the_node() {
    let script = "dbrp \"db\".\"rp\"\nstream\n    |from()\n    |swarmAutoscale()\n        .serviceName('s')\n        .replicas(lambda: 1)\n";
    assert_eq!(
        outcome(script, "t"),
        "error[unsupported] 4:5: node swarmAutoscale is not supported by tickc yet\n"
    );
    let script = "dbrp \"db\".\"rp\"\nstream\n    |from()\n    |httpPost('http://x')\n        .codeField('code')\n";
    assert_eq!(
        outcome(script, "t"),
        "error[unsupported] 5:9: node httpPost: `.codeField()` is not supported by tickc yet\n"
    );
}

#[test]
fn arguments_the_runtime_refuses_are_errors() {
    let script = "dbrp \"db\".\"rp\"\nstream\n    |from()\n    |window()\n        .period(1m)\n    |movingAverage('v', 0)\n";
    assert_eq!(
        outcome(script, "t"),
        "error[invalid-node] 6:5: `movingAverage`: the window must be at least 1\n"
    );
}

#[test]
fn multi_input_nodes_learn_which_parent_sent() {
    let script = "dbrp \"db\".\"rp\"\nvar a = stream\n    |from()\n        .measurement('a')\n\
        var b = stream\n    |from()\n        .measurement('b')\na\n    |union(b, a)\n        .rename('ab')\n";
    let code = outcome(script, "t");
    assert!(
        code.contains("fn push_union3(&mut self, parent: usize, msg: rt::Message)"),
        "{code}"
    );
    assert!(
        code.contains("self.union3.push_from(parent, msg)"),
        "{code}"
    );
    assert!(
        code.contains("union3: rt::Wired::new(rt::UnionNode::new(3, Some(String::from(\"ab\"))))"),
        "{code}"
    );
    assert!(
        code.contains("self.union3.multi_input_stats(\"union3\")"),
        "{code}"
    );
    // A union's other parents come first (Kapacitor's order): `b` is parent 0, and `a` is
    // parents 1 and 2, so it hands each message to both slots, in order.
    let from1 = code.split("fn push_from1").nth(1).unwrap_or_default();
    assert!(
        from1.contains("self.push_union3(1, msg.clone());\n            self.push_union3(2, msg);"),
        "{code}"
    );
    let from2 = code.split("fn push_from2").nth(1).unwrap_or_default();
    assert!(from2.contains("self.push_union3(0, msg);"), "{code}");
}

/// Every conformance task that checks clean generates code that parses as a Rust file, or is
/// refused for nodes not supported yet; the tally says how far support goes.
#[test]
fn conformance_tasks_generate_parsable_code() {
    let mut cases: Vec<_> = std::fs::read_dir(shared("conformance"))
        .expect("the conformance cases")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('_'))
        })
        .collect();
    cases.sort();
    let mut generated = 0;
    let mut rejected_by_check = 0;
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        let Some(name) = case.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Ok(script) = std::fs::read_to_string(case.join(format!("{name}.tick"))) else {
            continue;
        };
        let Ok(task) = compile(&script) else {
            rejected_by_check += 1;
            continue;
        };
        match generate(&task, name, &script) {
            Ok(tokens) => match syn::parse2::<syn::File>(tokens) {
                Ok(_) => generated += 1,
                Err(e) => failures.push(format!("{name}: generated code does not parse: {e}")),
            },
            Err(diagnostics) => {
                let expected_rejection = case.join("expected/error.txt").is_file();
                for d in &diagnostics {
                    if d.code == "unsupported" {
                        let what = d
                            .message
                            .trim_start_matches("node ")
                            .trim_end_matches(" is not supported by tickc yet");
                        *unsupported.entry(what.to_owned()).or_default() += 1;
                    } else if !expected_rejection {
                        failures.push(format!("{name}: {} {}", d.code, d.message));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let tally: String = unsupported
        .iter()
        .map(|(node, n)| format!("  {node}: {n}\n"))
        .collect();
    insta::assert_snapshot!(
        "conformance_tally",
        format!(
            "cases: {}\nrejected by the checker: {rejected_by_check}\ngenerated: {generated}\nunsupported nodes (occurrences):\n{tally}",
            cases.len()
        )
    );
}
