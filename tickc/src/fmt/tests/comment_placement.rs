//! Comments in places Kapacitor's own cases do not cover: each is kept, in order, on a line of
//! its own before the code that followed it.

use super::assert_contract;

fn check(script: &str, expected: &str) {
    assert_eq!(assert_contract(script), expected, "script:\n{script}");
}

#[test]
fn between_a_link_operator_and_its_name() {
    check("stream\n|\n// c\nfrom()", "stream\n    // c\n    |from()\n");
}

#[test]
fn at_the_end_of_a_link_line() {
    check(
        "stream|from() // source\n|window().period(1m) // size\n.every(1m)",
        "stream\n    |from()\n    // source\n    |window()\n        .period(1m)\n        // size\n        .every(1m)\n",
    );
}

#[test]
fn before_vars() {
    check("// a\nvar a = 1\n// b1\n// b2\nvar b = 2\n", "// a\nvar a = 1\n\n// b1\n// b2\nvar b = 2\n");
}

#[test]
fn inside_a_statement_head_moves_above_it() {
    check("var // c\n x = 1", "// c\nvar x = 1\n");
    check("var x // c\n = 1", "// c\nvar x = 1\n");
    check("dbrp \"db\" // c\n .\"rp\"", "// c\ndbrp \"db\".\"rp\"\n");
    check("var x // c\n duration", "// c\nvar x duration\n");
}

#[test]
fn at_the_end_of_the_file() {
    check("x\n// end", "x\n\n// end\n\n");
    check("stream|log() // done", "stream\n    |log()\n\n// done\n\n");
    check("// only\n\n// comments\n", "// only\n\n// comments\n\n");
}

#[test]
fn after_the_last_argument() {
    check("f(1,\n 2\n // c\n)", "f(\n    1,\n    2\n    // c\n)\n");
    check("f(1 // c\n)", "f(1\n    // c\n)\n");
    check("stream|from(\n// nothing yet\n)", "stream\n    |from(\n        // nothing yet\n    )\n");
}

#[test]
fn before_a_binary_operator() {
    check("var x = lambda: \"a\" > 1 // why\n AND \"b\" < 2", "var x = lambda: \"a\" > 1 AND\n// why\n\"b\" < 2\n");
}

#[test]
fn inside_parentheses_and_lists() {
    assert_contract("var x = lambda: (\"a\" > 1 // why\n)");
    assert_contract("var l = ['a', // x\n 'b' // y\n]");
    assert_contract("var x = -\n// minus\n1");
    assert_contract("stream|eval(lambda: // body\n \"x\" * 2)");
}

#[test]
fn blank_lines_between_blocks_are_kept_once() {
    check("// a\n\n\n\n// b\nx", "// a\n\n// b\nx\n");
}
