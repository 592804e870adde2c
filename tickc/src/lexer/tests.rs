use super::*;

/// Tokens as `token@start..end`, one per line-free string, for compact assertions.
fn show(source: &str) -> Vec<String> {
    lex(source)
        .tokens
        .iter()
        .map(|(t, s)| format!("{}@{}..{}", brief(t), s.start, s.end))
        .collect()
}

/// A short rendering of a token that shows its value exactly.
fn brief(token: &Token) -> String {
    match token {
        Token::Ident(n) => format!("id:{n}"),
        Token::Int(i) => format!("int:{}{}", i.value, if i.octal { "o" } else { "" }),
        Token::Float(x) => format!("float:{x:?}"),
        Token::Duration(d) => format!("dur:{}={}", d.literal, d.nanos),
        Token::Str(s) => format!("str{}:{:?}", if s.triple { "3" } else { "" }, s.value),
        Token::Reference(r) => format!("ref:{r:?}"),
        Token::Regex(r) => format!("re:{r:?}"),
        Token::Mul => "mul".to_owned(),
        Token::Star => "star".to_owned(),
        other => other.to_string().trim_matches('`').to_owned(),
    }
}

fn codes(source: &str) -> Vec<(&'static str, usize, usize)> {
    lex(source)
        .diagnostics
        .iter()
        .map(|d| (d.code, d.span.start, d.span.end))
        .collect()
}

#[test]
fn punctuation_and_operators() {
    assert_eq!(
        show("( ) [ ] , | @ . = + - % == != =~ !~ < <= > >= !"),
        [
            "(@0..1",
            ")@2..3",
            "[@4..5",
            "]@6..7",
            ",@8..9",
            "|@10..11",
            "@@12..13",
            ".@14..15",
            "=@16..17",
            "+@18..19",
            "-@20..21",
            "%@22..23",
            "==@24..26",
            "!=@27..29",
            "=~@30..32",
            "!~@33..35",
            "<@36..37",
            "<=@38..40",
            ">@41..42",
            ">=@43..45",
            "!@46..47"
        ]
    );
    assert!(codes("( ) [ ] , | @ .").is_empty());
}

#[test]
fn keywords_are_case_sensitive() {
    assert_eq!(
        show("var dbrp AND OR TRUE FALSE and true Var"),
        [
            "var@0..3",
            "dbrp@4..8",
            "AND@9..12",
            "OR@13..15",
            "TRUE@16..20",
            "FALSE@21..26",
            "id:and@27..30",
            "id:true@31..35",
            "id:Var@36..39"
        ]
    );
}

#[test]
fn lambda_needs_the_colon_right_after() {
    assert_eq!(show("lambda: x"), ["lambda:@0..7", "id:x@8..9"]);
    assert_eq!(show("lambda :"), ["id:lambda@0..6"]);
    assert_eq!(codes("lambda :"), [("unknown-character", 7, 8)]);
    assert_eq!(show("lambda"), ["id:lambda@0..6"]);
    assert_eq!(show("lambdas:"), ["id:lambdas@0..7"]);
}

#[test]
fn identifiers_start_with_a_unicode_letter() {
    assert_eq!(
        show("stream cpu_1 été Ωx9"),
        [
            "id:stream@0..6",
            "id:cpu_1@7..12",
            "id:été@13..18",
            "id:Ωx9@19..23"
        ]
    );
    // A leading `_` is an error, but still an identifier for the parser.
    assert_eq!(show("_x"), ["id:_x@0..2"]);
    assert_eq!(codes("_x"), [("invalid-identifier", 0, 2)]);
    // Digits cannot start one: `9a` is a number then an identifier.
    assert_eq!(show("9a"), ["int:9@0..1", "id:a@1..2"]);
}

#[test]
fn numbers_ints_floats_and_octal() {
    assert_eq!(
        show("42 0 010 0644 1.5 1. .5"),
        [
            "int:42@0..2",
            "int:0@3..4",
            "int:8o@5..8",
            "int:420o@9..13",
            "float:1.5@14..17",
            "float:1.0@18..20",
            "float:0.5@21..23"
        ]
    );
    // `.` not followed by a digit is a dot.
    assert_eq!(show("a.b"), ["id:a@0..1", ".@1..2", "id:b@2..3"]);
    assert_eq!(show("a.5"), ["id:a@0..1", "float:0.5@1..3"]);
}

#[test]
fn bad_numbers_are_reported_with_their_span() {
    assert_eq!(codes("var x = 09"), [("invalid-number", 8, 10)]);
    assert_eq!(
        lex("09").diagnostics[0].message,
        "illegal number syntax: `09`"
    );
    assert_eq!(codes("9223372036854775807"), []);
    assert_eq!(codes(" 9223372036854775808"), [("invalid-number", 1, 20)]);
    assert_eq!(codes("1.2.3"), [("invalid-number", 0, 5)]);
    assert_eq!(show("1.2.3"), ["float:1.2@0..5"]);
    let huge = format!("{}.0", "9".repeat(400));
    assert_eq!(codes(&huge), [("invalid-number", 0, 402)]);
}

#[test]
fn durations_take_one_unit() {
    assert_eq!(
        show("10u 3µ 100ms 10s 5m 2h 1d 1w"),
        [
            "dur:10u=10000@0..3",
            "dur:3µ=3000@4..7",
            "dur:100ms=100000000@8..13",
            "dur:10s=10000000000@14..17",
            "dur:5m=300000000000@18..20",
            "dur:2h=7200000000000@21..23",
            "dur:1d=86400000000000@24..26",
            "dur:1w=604800000000000@27..29"
        ]
    );
    assert_eq!(show("10mh"), ["dur:10m=600000000000@0..3", "id:h@3..4"]);
    assert_eq!(show("1.5s"), ["float:1.5@0..3", "id:s@3..4"]);
    assert_eq!(show("10ns"), ["int:10@0..2", "id:ns@2..4"]);
    assert_eq!(show("010s"), ["dur:010s=10000000000@0..4"]);
    assert_eq!(codes("99999999999w"), [("invalid-duration", 0, 12)]);
    assert_eq!(
        codes("99999999999999999999s"),
        [("invalid-duration", 0, 21)]
    );
}

#[test]
fn strings_resolve_only_escaped_quotes() {
    assert_eq!(show(r"'a\'b\n\\c'"), [r#"str:"a'b\\n\\\\c"@0..11"#]);
    assert_eq!(show("'' 'x'"), [r#"str:""@0..2"#, r#"str:"x"@3..6"#]);
    assert_eq!(
        show("'''raw\\'\nline''' x"),
        [r#"str3:"raw\\'\nline"@0..16"#, "id:x@17..18"]
    );
    assert_eq!(show("''''''"), [r#"str3:""@0..6"#]);
    // A single-quoted string may span lines too.
    assert_eq!(show("'a\nb'"), [r#"str:"a\nb"@0..5"#]);
}

#[test]
fn unterminated_strings_stop_at_the_line_end() {
    let lexed = lex("var x = 'abc\nvar y = 1");
    assert_eq!(
        lexed
            .diagnostics
            .iter()
            .map(|d| (d.code, d.span.range()))
            .collect::<Vec<_>>(),
        [("unterminated-string", 8..12)]
    );
    assert_eq!(
        show("var x = 'abc\nvar y = 1")[3..],
        [
            r#"str:"abc"@8..12"#,
            "var@13..16",
            "id:y@17..18",
            "=@19..20",
            "int:1@21..22"
        ]
    );
    assert_eq!(codes("x '''abc\n\n"), [("unterminated-string", 2, 5)]);
    assert_eq!(codes("'a\\'"), [("unterminated-string", 0, 4)]);
}

#[test]
fn references_use_double_quotes() {
    assert_eq!(
        show(r#""usage_idle" "a\"b" "c\d""#),
        [
            r#"ref:"usage_idle"@0..12"#,
            r#"ref:"a\"b"@13..19"#,
            r#"ref:"c\\d"@20..25"#
        ]
    );
    assert_eq!(codes("\"abc"), [("unterminated-reference", 0, 4)]);
}

#[test]
fn slash_is_a_regex_in_value_position_and_division_after_a_value() {
    assert_eq!(
        show(r#""host" =~ /^a\/b$/"#),
        [r#"ref:"host"@0..6"#, "=~@7..9", r#"re:"^a/b$"@10..18"#]
    );
    assert_eq!(
        show("var r = /x/"),
        ["var@0..3", "id:r@4..5", "=@6..7", r#"re:"x"@8..11"#]
    );
    assert_eq!(show("a / b"), ["id:a@0..1", "/@2..3", "id:b@4..5"]);
    assert_eq!(
        show("(1) / 2"),
        ["(@0..1", "int:1@1..2", ")@2..3", "/@4..5", "int:2@6..7"]
    );
    assert_eq!(
        show("f(/a/, /b/)")[2..5],
        [r#"re:"a"@2..5"#, ",@5..6", r#"re:"b"@7..10"#]
    );
    assert_eq!(show("lambda: /a/")[1..], [r#"re:"a"@8..11"#]);
    assert_eq!(show("x == !/a/")[3..], [r#"re:"a"@6..9"#]);
}

#[test]
fn regex_errors_point_at_the_regex() {
    assert_eq!(codes("var x = /[/"), [("invalid-regex", 8, 11)]);
    assert!(
        lex("var x = /[/").diagnostics[0]
            .message
            .starts_with("invalid regex: ")
    );
    assert_eq!(codes("\"a\" =~ /abc\nx"), [("unterminated-regex", 7, 11)]);
    assert_eq!(
        show("\"a\" =~ /abc\nx")[2..],
        [r#"re:"abc"@7..11"#, "id:x@12..13"]
    );
}

#[test]
fn star_means_all_in_value_position_and_times_after_a_value() {
    assert_eq!(
        show("groupBy(*)"),
        ["id:groupBy@0..7", "(@7..8", "star@8..9", ")@9..10"]
    );
    assert_eq!(show("[a, *]")[3..4], ["star@4..5"]);
    assert_eq!(show("2 * 3"), ["int:2@0..1", "mul@2..3", "int:3@4..5"]);
    assert_eq!(show("\"a\"*\"b\"")[1..2], ["mul@3..4"]);
    assert_eq!(
        show("(1)*-2"),
        [
            "(@0..1",
            "int:1@1..2",
            ")@2..3",
            "mul@3..4",
            "-@4..5",
            "int:2@5..6"
        ]
    );
}

#[test]
fn unknown_characters_are_reported_once_per_run() {
    assert_eq!(show("a #$ b"), ["id:a@0..1", "id:b@5..6"]);
    assert_eq!(codes("a #$ b"), [("unknown-character", 2, 4)]);
    assert_eq!(
        codes("a # b ;"),
        [("unknown-character", 2, 3), ("unknown-character", 6, 7)]
    );
}

#[test]
fn unicode_whitespace_is_skipped() {
    assert_eq!(
        show("a\u{a0}\u{2003}b\r\n\tc"),
        ["id:a@0..1", "id:b@6..7", "id:c@10..11"]
    );
}

#[test]
fn comments_come_out_apart_in_blocks() {
    let src = "// first\n  //second  \n//\nstream // trailing\n// joined\n\n// alone\n";
    let lexed = lex(src);
    assert_eq!(lexed.tokens.len(), 1);
    let blocks: Vec<(Vec<&str>, Span)> = lexed
        .comments
        .iter()
        .map(|c| (c.lines.iter().map(String::as_str).collect(), c.span))
        .collect();
    assert_eq!(
        blocks,
        [
            (vec!["first", "second", ""], Span::new(0, 24)),
            (vec!["trailing", "joined"], Span::new(32, 53)),
            (vec!["alone"], Span::new(55, 63)),
        ]
    );
    // `//` is a comment even in operator position, and a `/` after it is not a regex.
    assert_eq!(show("a // x / y\nb"), ["id:a@0..1", "id:b@11..12"]);
}

#[test]
fn empty_and_blank_input() {
    let lexed = lex("  \n\t ");
    assert!(lexed.tokens.is_empty() && lexed.comments.is_empty() && lexed.diagnostics.is_empty());
}
