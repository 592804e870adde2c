//! The walk over the tree that writes the canonical layout, interleaving comments by position.
//!
//! Layout follows Kapacitor's formatter: each node is written at an `indent`, and `on_new_line`
//! says whether the output is at the start of a line (so the node writes its indent first).

use super::comments::{CommentQueue, write_comments};
use super::layout::{call_is_multiline, newline_between};
use super::literal;
use crate::ast::{BinaryOp, ChainOp, Expr, ExprKind, Ident, Program, Statement};

/// One indentation step.
const STEP: &str = "    ";

pub(super) struct Printer<'a> {
    source: &'a str,
    comments: CommentQueue<'a>,
    out: String,
}

impl<'a> Printer<'a> {
    pub(super) fn new(program: &'a Program, source: &'a str) -> Self {
        Printer { source, comments: CommentQueue::new(&program.comments), out: String::new() }
    }

    /// Statements separated by one blank line; comments left after the last statement are a
    /// block of their own, printed (like a statement) with a blank line before and after.
    pub(super) fn program(mut self, statements: &[Statement]) -> String {
        for (i, statement) in statements.iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            self.statement(statement);
            self.out.push('\n');
        }
        let trailing = self.comments.take_all();
        if !trailing.is_empty() {
            if !statements.is_empty() {
                self.out.push('\n');
            }
            write_comments(&mut self.out, self.source, trailing, "");
            self.out.push('\n');
        }
        self.out
    }

    fn statement(&mut self, statement: &Statement) {
        // Comments inside a statement's head (`var x =`, a dbrp) have no line of their own to
        // go on, so they move up above the statement.
        let head_end = match statement {
            Statement::Var { value, .. } => value.span.start,
            Statement::TypedVar { span, .. } | Statement::Dbrp { span, .. } => span.end,
            Statement::Expr(expr) => expr.span.start,
        };
        self.comments_on_own_lines(head_end, "");
        match statement {
            Statement::Var { name, value, .. } => {
                self.out.push_str("var ");
                self.out.push_str(&name.name);
                self.out.push_str(" = ");
                self.expr(value, "", false);
            }
            Statement::TypedVar { name, ty, .. } => {
                self.out.push_str("var ");
                self.out.push_str(&name.name);
                self.out.push(' ');
                self.out.push_str(&ty.name);
            }
            Statement::Dbrp { database, retention_policy, .. } => {
                self.out.push_str("dbrp ");
                self.out.push_str(&literal::reference(&database.name));
                self.out.push('.');
                self.out.push_str(&literal::reference(&retention_policy.name));
            }
            Statement::Expr(expr) => self.expr(expr, "", true),
        }
    }

    /// Writes the waiting comments that start before `pos`, each on its own line at `indent`.
    /// The output must be at the start of a line.
    fn comments_on_own_lines(&mut self, pos: usize, indent: &str) {
        let group = self.comments.take_before(pos);
        write_comments(&mut self.out, self.source, group, indent);
    }

    fn expr(&mut self, expr: &Expr, indent: &str, on_new_line: bool) {
        self.operand(expr, indent, on_new_line, false);
    }

    /// Writes `expr`, preceded by the comments waiting before it. A comment ends its line, so
    /// the expression then starts a new one. `force_parens` wraps a binary expression that
    /// needs parentheses where it stands even if the tree did not mark it so.
    fn operand(&mut self, expr: &Expr, indent: &str, on_new_line: bool, force_parens: bool) {
        let mut on_new_line = on_new_line;
        if self.comments.any_before(expr.span.start) {
            if !on_new_line {
                self.out.push('\n');
            }
            self.comments_on_own_lines(expr.span.start, indent);
            on_new_line = true;
        }
        // A chain starts with its target, which writes the indent itself.
        if on_new_line && !matches!(expr.kind, ExprKind::Chain { .. }) {
            self.out.push_str(indent);
        }
        match &expr.kind {
            ExprKind::Int { value, octal } => self.out.push_str(&literal::int(*value, *octal)),
            ExprKind::Float(value) => self.out.push_str(&literal::float(*value)),
            ExprKind::Duration { literal, .. } => self.out.push_str(literal),
            ExprKind::Str { value, triple } => self.out.push_str(&literal::string(value, *triple)),
            ExprKind::Reference(name) => self.out.push_str(&literal::reference(name)),
            ExprKind::Regex(pattern) => self.out.push_str(&literal::regex(pattern)),
            ExprKind::Bool(value) => self.out.push_str(if *value { "TRUE" } else { "FALSE" }),
            ExprKind::Star => self.out.push('*'),
            ExprKind::Ident(name) => self.out.push_str(name),
            ExprKind::List(items) => self.list(items, expr.span.end, indent),
            ExprKind::Lambda(body) => {
                self.out.push_str("lambda: ");
                self.expr(body, indent, false);
            }
            ExprKind::Unary { op, operand } => {
                self.out.push_str(op.as_str());
                let is_binary = matches!(operand.kind, ExprKind::Binary { .. });
                self.operand(operand, indent, false, is_binary);
            }
            ExprKind::Binary { op, lhs, rhs, parens } => {
                self.binary(*op, lhs, rhs, *parens || force_parens, indent);
            }
            ExprKind::Call { name, args } => self.call(name, args, expr.span.end, indent),
            ExprKind::Chain { target, op, name, args } => {
                self.expr(target, indent, on_new_line);
                self.link(*op, name, args.as_deref(), expr.span.end, indent);
            }
        }
    }

    /// `lhs op rhs`, breaking the line after the operator where the source did. Parentheses
    /// indent what they hold by one step.
    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr, parens: bool, indent: &str) {
        let inner;
        let indent = if parens {
            self.out.push('(');
            inner = format!("{indent}{STEP}");
            inner.as_str()
        } else {
            indent
        };
        // Every level is left-associative: a left operand needs parentheses only when it binds
        // more loosely, a right one also when it binds the same.
        let lhs_parens = binds_looser_than(lhs, op.precedence());
        self.operand(lhs, indent, false, lhs_parens);
        self.out.push(' ');
        self.out.push_str(op.as_str());
        let multiline =
            newline_between(self.source, lhs.span.end, rhs.span.start) || self.comments.any_before(rhs.span.start);
        self.out.push(if multiline { '\n' } else { ' ' });
        let rhs_parens = binds_looser_than(rhs, op.precedence() + 1);
        self.operand(rhs, indent, multiline, rhs_parens);
        if parens {
            self.out.push(')');
        }
    }

    /// One chain link on a line of its own: `|node` and `@udf` one step in from the statement,
    /// `.property` two steps; comments before the link go on the lines above it.
    fn link(&mut self, op: ChainOp, name: &Ident, args: Option<&[Expr]>, end: usize, indent: &str) {
        let steps = if op == ChainOp::Dot { 2 } else { 1 };
        let link_indent = format!("{indent}{}", STEP.repeat(steps));
        self.out.push('\n');
        self.comments_on_own_lines(name.span.start, &link_indent);
        self.out.push_str(&link_indent);
        self.out.push_str(op.as_str());
        match args {
            Some(args) => self.call(name, args, end, &link_indent),
            None => self.out.push_str(&name.name),
        }
    }

    /// `name(args)`: on one line, or one argument a line one step in with `)` back on the
    /// call's indent. `end` is where the call's `)` ends: comments before it that follow the
    /// last argument go on their own lines before the `)`.
    fn call(&mut self, name: &Ident, args: &[Expr], end: usize, indent: &str) {
        let multiline = call_is_multiline(self.source, name, args);
        let arg_indent = format!("{indent}{STEP}");
        self.out.push_str(&name.name);
        self.out.push('(');
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
                if !multiline {
                    self.out.push(' ');
                }
            }
            if multiline {
                self.out.push('\n');
            }
            self.expr(arg, &arg_indent, multiline);
        }
        self.close(end, multiline && !args.is_empty(), &arg_indent, indent, ')');
    }

    /// `[a, 'b', *]`; comments inside are kept like a call's.
    fn list(&mut self, items: &[Expr], end: usize, indent: &str) {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(item, indent, false);
        }
        self.close(end, false, &format!("{indent}{STEP}"), indent, ']');
    }

    /// Writes a closing bracket, first putting any comments still waiting inside the bracketed
    /// part on their own lines at `inner_indent`; the bracket then goes on a line of its own
    /// (as it does anyway when `own_line`).
    fn close(&mut self, end: usize, own_line: bool, inner_indent: &str, indent: &str, bracket: char) {
        let waiting = self.comments.any_before(end);
        if own_line || waiting {
            self.out.push('\n');
            self.comments_on_own_lines(end, inner_indent);
            self.out.push_str(indent);
        }
        self.out.push(bracket);
    }
}

/// Whether `expr` is a binary expression whose operator binds more loosely than `precedence`.
fn binds_looser_than(expr: &Expr, precedence: u8) -> bool {
    matches!(&expr.kind, ExprKind::Binary { op, .. } if op.precedence() < precedence)
}

#[cfg(test)]
mod tests {
    use crate::ast::{BinaryOp, ChainOp, Expr, ExprKind, Ident, Program, Statement, UnaryOp};
    use crate::fmt::format;
    use crate::span::Span;

    fn e(kind: ExprKind) -> Expr {
        Expr::new(kind, Span::default())
    }

    fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
        e(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs), parens: false })
    }

    fn num(value: i64) -> Expr {
        e(ExprKind::Int { value, octal: false })
    }

    fn program(expr: Expr) -> Program {
        Program { statements: vec![Statement::Expr(expr)], comments: vec![] }
    }

    #[test]
    fn parentheses_the_tree_needs_are_written_even_if_unmarked() {
        let sum = || binary(BinaryOp::Add, num(1), num(2));
        let tree = binary(BinaryOp::Mul, sum(), binary(BinaryOp::Sub, num(3), sum()));
        assert_eq!(format(&program(tree), ""), "(1 + 2) * (3 - (1 + 2))\n");
        let negated = e(ExprKind::Unary { op: UnaryOp::Neg, operand: Box::new(sum()) });
        assert_eq!(format(&program(negated), ""), "-(1 + 2)\n");
        let left_nested = binary(BinaryOp::Sub, binary(BinaryOp::Sub, num(1), num(2)), num(3));
        assert_eq!(format(&program(left_nested), ""), "1 - 2 - 3\n");
    }

    #[test]
    fn every_link_gets_its_own_line() {
        let link = |target, op, name: &str, args| {
            let name = Ident { name: name.into(), span: Span::default() };
            e(ExprKind::Chain { target: Box::new(target), op, name, args })
        };
        let tree = link(
            link(
                link(e(ExprKind::Ident("stream".into())), ChainOp::Pipe, "from", Some(vec![])),
                ChainOp::Dot,
                "align",
                None,
            ),
            ChainOp::At,
            "udf",
            Some(vec![num(1), e(ExprKind::Str { value: "a".into(), triple: false })]),
        );
        assert_eq!(format(&program(tree), ""), "stream\n    |from()\n        .align\n    @udf(1, 'a')\n");
    }

    #[test]
    fn empty_program_is_empty() {
        assert_eq!(format(&Program::default(), ""), "");
    }
}
