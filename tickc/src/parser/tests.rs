use super::*;
use crate::ast::{ExprKind, Statement};
use crate::span::Span;

/// The tree of a script that must parse cleanly.
fn ok(source: &str) -> String {
    let (program, diagnostics) = parse(source);
    assert!(
        diagnostics.is_empty(),
        "unexpected diagnostics for {source:?}: {diagnostics:#?}"
    );
    sexpr::program(&program)
}

/// The diagnostics of a script, one per line: `code line:col-line:col message [label] {secondary}`.
fn errors(source: &str) -> String {
    let (_, diagnostics) = parse(source);
    diagnostics
        .iter()
        .map(|d| {
            let mut line = format!("{} {}: {}", d.code, at(source, d.span), d.message);
            if let Some(label) = &d.label {
                line += &format!(" [{label}]");
            }
            for secondary in &d.labels {
                line += &format!(" {{{} {}}}", at(source, secondary.span), secondary.message);
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn at(source: &str, span: Span) -> String {
    let start = crate::span::line_col(source, span.start);
    let end = crate::span::line_col(source, span.end);
    format!(
        "{}:{}-{}:{}",
        start.line, start.column, end.line, end.column
    )
}

/// The expression of a one-statement script.
fn expr(source: &str) -> String {
    ok(source)
}

#[test]
fn precedence_follows_kapacitor() {
    assert_eq!(
        expr("1 + 2 * 3 - 4 / 5 % 6"),
        "((1 + (2 * 3)) - ((4 / 5) % 6))"
    );
    assert_eq!(expr("10 - 4 - 3"), "((10 - 4) - 3)");
    assert_eq!(
        expr(r#""a" > 1 AND "b" < 2 OR "c" == 3 AND !"d""#),
        r#"((("a" > 1) AND ("b" < 2)) OR (("c" == 3) AND (!"d")))"#
    );
    assert_eq!(
        expr(r#"-"a" * 2 == 4 != TRUE"#),
        r#"((((-"a") * 2) == 4) != TRUE)"#
    );
    assert_eq!(
        expr(r#""a" =~ /x/ OR "b" !~ /y/"#),
        r#"(("a" =~ /x/) OR ("b" !~ /y/))"#
    );
    assert_eq!(expr("1 < 2 == 3 >= 4"), "((1 < 2) == (3 >= 4))");
    assert_eq!(expr("a <= b + c"), "(a <= (b + c))");
}

#[test]
fn unary_binds_to_one_primary() {
    assert_eq!(expr("-a * 2"), "((-a) * 2)");
    assert_eq!(expr("- -a"), "(-(-a))");
    assert_eq!(expr("!f(x) AND y"), "((!f(x)) AND y)");
    assert_eq!(expr("-(a + b)"), "(-{a + b})");
    assert_eq!(expr("1 - -1"), "(1 - (-1))");
}

#[test]
fn parentheses_are_kept_only_around_binaries() {
    assert_eq!(expr("(1 + 2) * 3"), "({1 + 2} * 3)");
    assert_eq!(
        expr(r#"lambda: ("a" + (1)) / (( 4 +"b") * ("c"))"#),
        r#"(lambda: ({"a" + 1} / {{4 + "b"} * "c"}))"#
    );
    let (program, _) = parse("((1 + 2))");
    let Some(Statement::Expr(e)) = program.statements.first() else {
        panic!("no statement")
    };
    assert_eq!(e.span, Span::new(0, 9));
    assert!(matches!(e.kind, ExprKind::Binary { parens: true, .. }));
}

#[test]
fn literals() {
    assert_eq!(expr("010"), "010");
    let (program, _) = parse("010");
    let Some(Statement::Expr(e)) = program.statements.first() else {
        panic!("no statement")
    };
    assert_eq!(
        e.kind,
        ExprKind::Int {
            value: 8,
            octal: true
        }
    );
    assert_eq!(expr(".5"), "0.5");
    assert_eq!(
        expr("1.5 10s 5m 'a' '''b''' TRUE FALSE \"c\""),
        "1.5; 10s; 5m; 'a'; '''b'''; TRUE; FALSE; \"c\""
    );
    // After a value a `/` divides, as in Kapacitor: a regex needs value position.
    assert_eq!(expr("\"c\" /d/ 2"), "((\"c\" / d) / 2)");
    assert_eq!(expr("var r = /d/"), "var r = /d/");
}

#[test]
fn chains_mix_pipes_properties_and_udfs() {
    assert_eq!(expr("a|b(1).c(2)@d()|e()"), "[[[[a|b(1)].c(2)]@d()]|e()]");
    assert_eq!(
        expr(
            "stream\n  |from()\n    .measurement('cpu')\n  |window()\n    .period(10s)\n    .align"
        ),
        "[[[[[stream|from()].measurement('cpu')]|window()].period(10s)].align]"
    );
    assert_eq!(expr("time(10s)"), "time(10s)");
    assert_eq!(expr("f(1)|g()"), "[f(1)|g()]");
    assert_eq!(expr("x.y"), "[x.y]");
}

#[test]
fn arguments_allow_a_trailing_comma_and_any_expression() {
    assert_eq!(expr("a|b(1, 'x',)"), "[a|b(1, 'x')]");
    assert_eq!(
        expr("a|eval(lambda: \"x\" * 2, lambda: sigma(\"y\")).as('a', 'b')"),
        "[[a|eval((lambda: (\"x\" * 2)), (lambda: sigma(\"y\")))].as('a', 'b')]"
    );
    assert_eq!(expr("a|groupBy(*)"), "[a|groupBy(*)]");
    assert_eq!(expr("a|groupBy([a, 'b', *],)"), "[a|groupBy([a, 'b', *])]");
}

#[test]
fn lists() {
    assert_eq!(expr("[a, 'b', *]"), "[a, 'b', *]");
    assert_eq!(expr("[]"), "[]");
    assert_eq!(expr("['a',]"), "['a']");
}

#[test]
fn statements_var_typed_var_dbrp() {
    assert_eq!(ok("var x = 5m"), "var x = 5m");
    assert_eq!(ok("var x duration"), "var x duration");
    assert_eq!(
        ok("dbrp \"telegraf\".\"autogen\""),
        "dbrp \"telegraf\".\"autogen\""
    );
    assert_eq!(
        ok("var x = stream|from()\nx|log()"),
        "var x = [stream|from()]; [x|log()]"
    );
    // No separators: a statement ends where its expression cannot go on.
    assert_eq!(ok("var x = 1.5s"), "var x = 1.5; s");
    assert_eq!(ok("var a = 1 var b = 2 c d"), "var a = 1; var b = 2; c; d");
    let (program, _) = parse("var x = 5m\nvar y int");
    let spans: Vec<Span> = program.statements.iter().map(Statement::span).collect();
    assert_eq!(spans, [Span::new(0, 10), Span::new(11, 20)]);
}

#[test]
fn comments_are_returned_beside_the_tree() {
    let (program, diagnostics) =
        parse("// the source\n// of data\nvar x = stream // here\n\n// end\n");
    assert!(diagnostics.is_empty());
    assert_eq!(program.statements.len(), 1);
    let lines: Vec<Vec<String>> = program.comments.iter().map(|c| c.lines.clone()).collect();
    assert_eq!(
        lines,
        [vec!["the source", "of data"], vec!["here"], vec!["end"]]
    );
}

#[test]
fn kapacitor_error_examples() {
    insta::assert_snapshot!(errors("var a = 1\nvar b = 2\n\nvar b = "), @"syntax 4:9-4:9: unexpected end of script [expected an expression]");
    insta::assert_snapshot!(errors("var a = 1\nvar b = 2\n\nvar period)\nvar x = 1"), @"syntax 4:11-4:12: unexpected `)` [expected `=` or a type name]");
    insta::assert_snapshot!(errors("stream\n  |from()\n  .measurement('cpu'\n"), @"syntax 4:1-4:1: expected `)` to close the call to `measurement`, found end of script [expected `)`, `,`, a chain link (`|`, `.`, `@`) or an operator] {3:15-3:16 the call to `measurement` opened here}");
    insta::assert_snapshot!(errors("var x = 09"), @"invalid-number 1:9-1:11: illegal number syntax: `09` [a leading 0 makes this an octal number, which cannot contain 8 or 9]");
    insta::assert_snapshot!(errors("_x"), @"invalid-identifier 1:1-1:3: identifier `_x` starts with `_` [identifiers must start with a letter]");
    insta::assert_snapshot!(errors("var x = 'abc"), @"unterminated-string 1:9-1:13: unterminated string [this string has no closing `'`]");
    insta::assert_snapshot!(errors("var x = /[/"), @"invalid-regex 1:9-1:12: invalid regex: unclosed character class [this regex does not compile]");
    insta::assert_snapshot!(errors("stream\n    |where(lambda: \"v\" > )\n    |httpPost('x')"), @"syntax 2:26-2:27: unexpected `)` [expected an expression]");
    insta::assert_snapshot!(errors("stream|window().period(10s\nvar x = 1"), @"syntax 2:1-2:4: expected `)` to close the call to `period`, found `var` [expected `)`, `,`, a chain link (`|`, `.`, `@`) or an operator] {1:23-1:24 the call to `period` opened here}");
}

#[test]
fn one_run_reports_every_error() {
    let script = "var a = \nvar b = 1 +\nstream\n  |from()\n  |window(.period(10s)\n  |alert()\n      .crit(lambda: \"v\" > )\nvar ok = 5\nok|log(\n";
    insta::assert_snapshot!(errors(script), @r"
        syntax 2:1-2:4: unexpected `var` [expected an expression]
        syntax 3:1-4:10: a pipeline chain cannot be an operand of `+` [the chain ends with `|from`]
        syntax 5:11-5:12: unexpected `.` in the arguments of `window` [expected `)` or an expression] {5:10-5:11 the call to `window` opened here}
        syntax 10:1-10:1: expected `)` to close the call to `log`, found end of script [expected `)` or an expression] {9:7-9:8 the call to `log` opened here}
        ");
    // What did parse is kept: statements with errors are dropped, chains end at a bad link.
    let (program, _) = parse(script);
    insta::assert_snapshot!(sexpr::program(&program), @"var b = (1 + [stream|from()]); var ok = 5; ok");
    let script = "var a = 1 +\nvar b = [1]\nstream|from(.measurement('cpu')\nvar c = 'ok'\ndbrp \"x\".\nvar d = 09 var e = 'x\n";
    insta::assert_snapshot!(errors(script), @r#"
        syntax 2:1-2:4: unexpected `var` [expected an expression]
        syntax 2:10-2:11: unexpected number `1` in the list [expected `]` or a list item (identifier, 'string', `*`)] {2:9-2:10 the list opened here}
        syntax 3:13-3:14: unexpected `.` in the arguments of `from` [expected `)` or an expression] {3:12-3:13 the call to `from` opened here}
        syntax 6:1-6:4: unexpected `var` [expected a "double-quoted" name]
        invalid-number 6:9-6:11: illegal number syntax: `09` [a leading 0 makes this an octal number, which cannot contain 8 or 9]
        unterminated-string 6:20-6:22: unterminated string [this string has no closing `'`]
        "#);
    insta::assert_snapshot!(sexpr::program(&parse(script).0), @"var a = 1; stream; var c = 'ok'; var d = 00; var e = 'x'");
}

#[test]
fn chains_where_kapacitor_allows_none() {
    insta::assert_snapshot!(errors("var x = 'abc'.foo"), @"syntax 1:15-1:18: `.foo` cannot follow this expression {1:9-1:14 not a node}");
    insta::assert_snapshot!(errors("stream|from"), @"syntax 1:8-1:12: `|from` needs parentheses [`|` creates a node, which is a call]");
    insta::assert_snapshot!(errors("var x = a|b() + 1"), @"syntax 1:9-1:14: a pipeline chain cannot be an operand of `+` [the chain ends with `|b`]");
    insta::assert_snapshot!(errors("var x = (a|b())"), @"syntax 1:10-1:15: a pipeline chain cannot be inside parentheses [the chain ends with `|b`]");
    insta::assert_snapshot!(errors("var x = lambda: a|b()"), @"syntax 1:17-1:22: a pipeline chain cannot be the body of a lambda [the chain ends with `|b`]");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for deep in [
        format!("var x = {}1{}", "(".repeat(10_000), ")".repeat(10_000)),
        format!("var x = {}1{}", "f(".repeat(10_000), ")".repeat(10_000)),
        format!("var x = {}1", "-".repeat(10_000)),
        format!("var x = {}", "(".repeat(10_000)),
    ] {
        let (_, diagnostics) = parse(&deep);
        assert_eq!(
            diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
            ["nesting-too-deep"],
            "{diagnostics:?}"
        );
    }
    let limit = super::state::MAX_NESTING;
    let deepest = format!(
        "var x = {}1 + 2{}",
        "f((".repeat(limit / 2),
        "))".repeat(limit / 2)
    );
    assert!(parse(&deepest).1.is_empty());
}

#[test]
fn a_long_chain_parses_without_recursion() {
    let links = 30_000;
    let script = format!("stream{}", "|window().period(10s)".repeat(links / 2));
    let (program, diagnostics) = parse(&script);
    assert!(diagnostics.is_empty());
    let Some(Statement::Expr(mut e)) = program.statements.into_iter().next() else {
        panic!("no chain")
    };
    let mut count = 0;
    while let ExprKind::Chain { target, .. } = e.kind {
        count += 1;
        e = *target;
    }
    assert_eq!(
        (count, e.kind),
        (links, ExprKind::Ident("stream".to_owned()))
    );
}

/// Dropping the tree recurses once per link (`Drop` is derived), about 100 bytes a level in a
/// debug build: a 30,000-link chain needs more than a test thread's 2 MiB, and fits in the
/// 8 MiB of a main thread.
#[test]
fn dropping_a_long_chain_fits_a_main_thread_stack() {
    let script = format!("stream{}", "|window().period(10s)".repeat(15_000));
    let (program, diagnostics) = parse(&script);
    assert!(diagnostics.is_empty());
    let dropper = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || drop(program));
    assert!(dropper.map(|thread| thread.join().is_ok()).unwrap_or(false));
}

/// The shared corpus: `$TICKC_SHARED_DIR`, else the first `shared` folder beside an ancestor of
/// this crate (the workspace may sit one or two levels below it).
fn shared_dir() -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os("TICKC_SHARED_DIR") {
        return Some(dir.into());
    }
    let manifest = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|dir| dir.join("shared"))
        .find(|dir| dir.join("conformance").is_dir())
}

fn tick_files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|entry| entry.ok().map(|entry| entry.path())) {
        if path.is_dir() {
            tick_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "tick") {
            found.push(path);
        }
    }
}

/// Every script of the conformance cases and benchmark tasks parses, except in cases the
/// reference rejects (`expected/error.txt`); of those, the ones Kapacitor's parser rejects
/// (`parser:` in the error) must fail here too.
#[test]
fn corpus_scripts_parse() {
    let Some(shared) = shared_dir() else {
        eprintln!("shared corpus not found; set TICKC_SHARED_DIR to run this test");
        return;
    };
    let mut scripts = Vec::new();
    tick_files(&shared.join("conformance"), &mut scripts);
    tick_files(&shared.join("bench").join("tasks"), &mut scripts);
    scripts.sort();
    assert!(
        !scripts.is_empty(),
        "no .tick files under {}",
        shared.display()
    );
    let mut failures = Vec::new();
    for script in &scripts {
        let Ok(source) = std::fs::read_to_string(script) else {
            continue;
        };
        let (_, diagnostics) = parse(&source);
        let reference_error = script
            .parent()
            .map(|case| case.join("expected").join("error.txt"));
        let reference_error = reference_error.and_then(|path| std::fs::read_to_string(path).ok());
        match (&reference_error, diagnostics.first()) {
            (None, Some(first)) => {
                failures.push(format!("{}: {}", script.display(), first.message))
            }
            (Some(reference), None) if reference.contains("parser:") => failures.push(format!(
                "{}: parsed, but the reference says {reference}",
                script.display()
            )),
            (Some(_), Some(first)) => eprintln!(
                "syntax error, as expected: {}: {}",
                script.display(),
                first.message
            ),
            (Some(_), None) => eprintln!(
                "parses; rejected later by the reference: {}",
                script.display()
            ),
            (None, None) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scripts:\n{}",
        failures.len(),
        scripts.len(),
        failures.join("\n")
    );
}

mod no_panic {
    use proptest::prelude::*;

    use super::parse;
    use crate::span::Span;

    /// Pieces of TICKscript, valid and not, that random concatenations turn into token soups.
    const FRAGMENTS: &[&str] = &[
        "stream", "batch", "x", "from", "window", "|", ".", "@", "(", ")", "[", "]", ",", "var",
        "dbrp", "=", "\"db\"", "'s'", "'''t'''", "/r/", "/", "*", "1", "010", "09", ".5", "1.5",
        "1.2.3", "10s", "10mh", "µ", "lambda:", "lambda", "-", "!", "+", "%", "==", "!=", "=~",
        "!~", "<", "<=", ">", ">=", "AND", "OR", "TRUE", "FALSE", "'", "\"", "'''", "_", "#", " ",
        "\n", "// c\n", "\\",
    ];

    fn soup() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..80)
            .prop_map(|pieces| pieces.concat())
    }

    /// Spans lie inside the source and on character boundaries, so rendering them is safe.
    fn check_spans(source: &str) {
        let (program, diagnostics) = parse(source);
        let valid = |span: Span| {
            span.start <= span.end
                && span.end <= source.len()
                && source.is_char_boundary(span.start)
                && source.is_char_boundary(span.end)
        };
        for d in &diagnostics {
            assert!(valid(d.span), "{d:?} in {source:?}");
            assert!(
                d.labels.iter().all(|label| valid(label.span)),
                "{d:?} in {source:?}"
            );
        }
        for statement in &program.statements {
            assert!(valid(statement.span()), "{statement:?} in {source:?}");
        }
        for comment in &program.comments {
            assert!(valid(comment.span), "{comment:?} in {source:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_text(source in any::<String>()) {
            check_spans(&source);
        }

        #[test]
        fn token_soup(source in soup()) {
            check_spans(&source);
        }
    }
}

#[test]
fn expression_spans_cover_their_source() {
    let source =
        "var x = stream|window().period(10s).align\nlambda: -\"a\" + sigma(\"b\")\n[a, 'b']";
    let (program, diagnostics) = parse(source);
    assert!(diagnostics.is_empty());
    let mut texts = Vec::new();
    for statement in &program.statements {
        let top = match statement {
            Statement::Var { value, .. } => value,
            Statement::Expr(e) => e,
            other => panic!("unexpected {other:?}"),
        };
        texts.push(&source[top.span.range()]);
        match &top.kind {
            ExprKind::Chain {
                target, name, args, ..
            } => {
                texts.push(&source[target.span.range()]);
                texts.push(&source[name.span.range()]);
                assert!(args.is_none());
            }
            ExprKind::Lambda(body) => {
                let ExprKind::Binary { lhs, rhs, .. } = &body.kind else {
                    panic!("{body:?}")
                };
                texts.push(&source[lhs.span.range()]);
                texts.push(&source[rhs.span.range()]);
            }
            _ => {}
        }
    }
    assert_eq!(
        texts,
        [
            "stream|window().period(10s).align",
            "stream|window().period(10s)",
            "align",
            "lambda: -\"a\" + sigma(\"b\")",
            "-\"a\"",
            "sigma(\"b\")",
            "[a, 'b']",
        ]
    );
}
