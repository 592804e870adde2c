use super::*;
use crate::ast::{ExprKind, Statement};
use crate::span::Span;

/// The tree of a script that must parse cleanly.
fn ok(source: &str) -> String {
    let (program, diagnostics) = parse(source);
    assert!(diagnostics.is_empty(), "unexpected diagnostics for {source:?}: {diagnostics:#?}");
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
    format!("{}:{}-{}:{}", start.line, start.column, end.line, end.column)
}

/// The expression of a one-statement script.
fn expr(source: &str) -> String {
    ok(source)
}

#[test]
fn precedence_follows_kapacitor() {
    assert_eq!(expr("1 + 2 * 3 - 4 / 5 % 6"), "((1 + (2 * 3)) - ((4 / 5) % 6))");
    assert_eq!(expr("10 - 4 - 3"), "((10 - 4) - 3)");
    assert_eq!(
        expr(r#""a" > 1 AND "b" < 2 OR "c" == 3 AND !"d""#),
        r#"((("a" > 1) AND ("b" < 2)) OR (("c" == 3) AND (!"d")))"#
    );
    assert_eq!(expr(r#"-"a" * 2 == 4 != TRUE"#), r#"((((-"a") * 2) == 4) != TRUE)"#);
    assert_eq!(expr(r#""a" =~ /x/ OR "b" !~ /y/"#), r#"(("a" =~ /x/) OR ("b" !~ /y/))"#);
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
    assert_eq!(expr(r#"lambda: ("a" + (1)) / (( 4 +"b") * ("c"))"#), r#"(lambda: ({"a" + 1} / {{4 + "b"} * "c"}))"#);
    let (program, _) = parse("((1 + 2))");
    let Some(Statement::Expr(e)) = program.statements.first() else { panic!("no statement") };
    assert_eq!(e.span, Span::new(0, 9));
    assert!(matches!(e.kind, ExprKind::Binary { parens: true, .. }));
}

#[test]
fn literals() {
    assert_eq!(expr("010"), "010");
    let (program, _) = parse("010");
    let Some(Statement::Expr(e)) = program.statements.first() else { panic!("no statement") };
    assert_eq!(e.kind, ExprKind::Int { value: 8, octal: true });
    assert_eq!(expr(".5"), "0.5");
    assert_eq!(expr("1.5 10s 5m 'a' '''b''' TRUE FALSE \"c\""), "1.5; 10s; 5m; 'a'; '''b'''; TRUE; FALSE; \"c\"");
    // After a value a `/` divides, as in Kapacitor: a regex needs value position.
    assert_eq!(expr("\"c\" /d/ 2"), "((\"c\" / d) / 2)");
    assert_eq!(expr("var r = /d/"), "var r = /d/");
}

#[test]
fn chains_mix_pipes_properties_and_udfs() {
    assert_eq!(expr("a|b(1).c(2)@d()|e()"), "[[[[a|b(1)].c(2)]@d()]|e()]");
    assert_eq!(expr("stream\n  |from()\n    .measurement('cpu')\n  |window()\n    .period(10s)\n    .align"),
        "[[[[[stream|from()].measurement('cpu')]|window()].period(10s)].align]");
    assert_eq!(expr("time(10s)"), "time(10s)");
    assert_eq!(expr("f(1)|g()"), "[f(1)|g()]");
    assert_eq!(expr("x.y"), "[x.y]");
}

#[test]
fn arguments_allow_a_trailing_comma_and_any_expression() {
    assert_eq!(expr("a|b(1, 'x',)"), "[a|b(1, 'x')]");
    assert_eq!(expr("a|eval(lambda: \"x\" * 2, lambda: sigma(\"y\")).as('a', 'b')"),
        "[[a|eval((lambda: (\"x\" * 2)), (lambda: sigma(\"y\")))].as('a', 'b')]");
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
    assert_eq!(ok("dbrp \"telegraf\".\"autogen\""), "dbrp \"telegraf\".\"autogen\"");
    assert_eq!(ok("var x = stream|from()\nx|log()"), "var x = [stream|from()]; [x|log()]");
    // No separators: a statement ends where its expression cannot go on.
    assert_eq!(ok("var x = 1.5s"), "var x = 1.5; s");
    assert_eq!(ok("var a = 1 var b = 2 c d"), "var a = 1; var b = 2; c; d");
    let (program, _) = parse("var x = 5m\nvar y int");
    let spans: Vec<Span> = program.statements.iter().map(Statement::span).collect();
    assert_eq!(spans, [Span::new(0, 10), Span::new(11, 20)]);
}

#[test]
fn comments_are_returned_beside_the_tree() {
    let (program, diagnostics) = parse("// the source\n// of data\nvar x = stream // here\n\n// end\n");
    assert!(diagnostics.is_empty());
    assert_eq!(program.statements.len(), 1);
    let lines: Vec<Vec<String>> = program.comments.iter().map(|c| c.lines.clone()).collect();
    assert_eq!(lines, [vec!["the source", "of data"], vec!["here"], vec!["end"]]);
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
    insta::assert_snapshot!(errors("stream|window().period(10s\nvar x = 1"), @"syntax 2:1-2:4: expected `)` to close the call to `period`, found `var` [expected `)`, `,`, a chain link (`|`, `.`, `@`) or an operator] {1:23-1:24 the call to `period` opened here}");
}
