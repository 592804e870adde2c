//! Builds the tree of a template from its tokens, with Go's parse-time checks: functions
//! must exist, variables must be declared, control blocks must be closed.

use super::Flavor;
use super::ast::{Arg, ArgKind, Command, Control, ControlKind, List, Node, Number, Pipe, Span};
use super::error::TemplateError;
use super::funcs::Func;
use super::lexer::{Keyword, Tok, Token};

/// Deepest nesting of blocks and parentheses accepted, so hostile input cannot exhaust the
/// stack of the parser or, later, of the executor.
const MAX_DEPTH: usize = 100;

pub fn parse(tokens: Vec<Token>, src_len: usize, flavor: Flavor) -> Result<List, TemplateError> {
    let mut p = Parser {
        tokens,
        pos: 0,
        src_len,
        flavor,
        vars: vec!["$".to_owned()],
        depth: 0,
    };
    let (list, end) = p.list()?;
    match end {
        None => Ok(list),
        Some(tok) => Err(TemplateError::parse(
            tok.span,
            format!("unexpected {{{{{}}}}}", keyword_name(&tok.tok)),
        )),
    }
}

fn keyword_name(tok: &Tok) -> &'static str {
    match tok {
        Tok::Keyword(Keyword::Else) => "else",
        _ => "end",
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    src_len: usize,
    flavor: Flavor,
    /// Variables in scope, innermost last.
    vars: Vec<String>,
    depth: usize,
}

/// What ended a list: `{{end}}` or `{{else}}` (with the `else` token), or the input.
type ListEnd = Option<Token>;

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_tok(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.tok)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += usize::from(t.is_some());
        t
    }

    fn skip_space(&mut self) {
        while self.peek_tok() == Some(&Tok::Space) {
            self.pos += 1;
        }
    }

    fn peek_non_space(&mut self) -> Option<&Tok> {
        self.skip_space();
        self.peek_tok()
    }

    fn eof_span(&self) -> Span {
        self.src_len..self.src_len
    }

    fn here(&self) -> Span {
        self.peek()
            .map_or_else(|| self.eof_span(), |t| t.span.clone())
    }

    fn error<T>(&self, span: Span, message: impl Into<String>) -> Result<T, TemplateError> {
        Err(TemplateError::parse(span, message))
    }

    fn enter(&mut self, span: &Span) -> Result<(), TemplateError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(
                span.clone(),
                format!("template nested more than {MAX_DEPTH} levels deep"),
            );
        }
        Ok(())
    }

    /// Nodes up to `{{end}}`, `{{else}}` or the end of input.
    fn list(&mut self) -> Result<(List, ListEnd), TemplateError> {
        let mut nodes = Vec::new();
        while let Some(token) = self.next() {
            match token.tok {
                Tok::Text(text) => nodes.push(Node::Text(text)),
                Tok::LeftDelim => {
                    let open = token.span;
                    match self.peek_non_space().cloned() {
                        Some(Tok::Keyword(Keyword::End | Keyword::Else)) => {
                            let Some(kw) = self.next() else { break };
                            return Ok((
                                List(nodes),
                                Some(Token {
                                    tok: kw.tok,
                                    span: open.start..kw.span.end,
                                }),
                            ));
                        }
                        Some(Tok::Keyword(
                            kind @ (Keyword::If | Keyword::With | Keyword::Range),
                        )) => {
                            self.next();
                            let kind = match kind {
                                Keyword::If => ControlKind::If,
                                Keyword::With => ControlKind::With,
                                _ => ControlKind::Range,
                            };
                            nodes.push(self.control(kind, open)?);
                        }
                        Some(Tok::Keyword(
                            Keyword::Define | Keyword::Template | Keyword::Block,
                        )) => {
                            return self.error(self.here(), "define, template and block are not supported in Kapacitor templates");
                        }
                        _ => {
                            let pipe = self.pipeline(false, &Tok::RightDelim)?;
                            nodes.push(Node::Action(pipe));
                        }
                    }
                }
                _ => return self.error(token.span, "unexpected token outside an action"),
            }
        }
        Ok((List(nodes), None))
    }

    /// After `{{if`, `{{with`, `{{range`: the pipeline, the body, an optional else, `{{end}}`.
    fn control(&mut self, kind: ControlKind, open: Span) -> Result<Node, TemplateError> {
        self.enter(&open)?;
        let scope = self.vars.len();
        let pipe = self.pipeline(kind == ControlKind::Range, &Tok::RightDelim)?;
        let (body, end) = self.list()?;
        let Some(end) = end else {
            return self.error(open, "unexpected EOF: missing {{end}}");
        };
        let otherwise = if end.tok == Tok::Keyword(Keyword::Else) {
            // `{{else if ...}}` opens a nested if that also consumes our {{end}}.
            if kind == ControlKind::If && self.peek_non_space() == Some(&Tok::Keyword(Keyword::If))
            {
                self.next();
                let nested = self.control(ControlKind::If, end.span)?;
                Some(List(vec![nested]))
            } else {
                self.expect_right_delim("else")?;
                let (list, end2) = self.list()?;
                match end2 {
                    Some(t) if t.tok == Tok::Keyword(Keyword::End) => {
                        self.expect_right_delim("end")?
                    }
                    Some(t) => {
                        return self.error(t.span, "expected {{end}}, found a second {{else}}");
                    }
                    None => return self.error(open, "unexpected EOF: missing {{end}}"),
                }
                Some(list)
            }
        } else {
            self.expect_right_delim("end")?;
            None
        };
        self.vars.truncate(scope);
        self.depth -= 1;
        Ok(Node::Control(Box::new(Control {
            kind,
            pipe,
            body,
            otherwise,
        })))
    }

    fn expect_right_delim(&mut self, context: &str) -> Result<(), TemplateError> {
        match self.peek_non_space() {
            Some(Tok::RightDelim) => {
                self.next();
                Ok(())
            }
            _ => self.error(
                self.here(),
                format!("unexpected {} in {context}", describe(self.peek_tok())),
            ),
        }
    }

    /// A pipeline up to `end` (a right delimiter or paren), with optional declarations.
    fn pipeline(&mut self, is_range: bool, end: &Tok) -> Result<Pipe, TemplateError> {
        let start = self.here().start;
        let mut decl = Vec::new();
        let mut is_assign = false;
        self.skip_space();
        if let Some(Tok::Variable(_)) = self.peek_tok() {
            let saved = self.pos;
            let mut names = Vec::new();
            while let Some(Token {
                tok: Tok::Variable(name),
                span,
            }) = self.next()
            {
                match self.peek_non_space() {
                    Some(Tok::Declare | Tok::Assign) => {
                        is_assign = self.peek_tok() == Some(&Tok::Assign);
                        self.next();
                        names.push(name);
                        decl = names;
                        break;
                    }
                    Some(Tok::Comma) if is_range && names.is_empty() => {
                        self.next();
                        names.push(name);
                        if !matches!(self.peek_non_space(), Some(Tok::Variable(_))) {
                            return self.error(self.here(), "range can only initialize variables");
                        }
                    }
                    Some(Tok::Comma) => return self.error(span, "too many declarations"),
                    _ => {
                        // Not a declaration: the variable is an operand.
                        self.pos = saved;
                        break;
                    }
                }
            }
            for name in &decl {
                if !is_assign {
                    self.vars.push(name.clone());
                }
            }
        }
        let mut cmds = Vec::new();
        let mut after_pipe = None;
        loop {
            match self.peek_non_space() {
                Some(t) if t == end => {
                    let span_end = self.here().end;
                    if let Some(pipe_span) = after_pipe {
                        return self.error(pipe_span, "missing command after |");
                    }
                    self.next();
                    if cmds.is_empty() {
                        return self.error(start..span_end, "missing value for command");
                    }
                    check_pipeline(&cmds)?;
                    return Ok(Pipe {
                        decl,
                        is_assign,
                        cmds,
                        span: start..span_end,
                    });
                }
                None => return self.error(self.eof_span(), "unclosed action"),
                _ => {
                    let (cmd, piped) = self.command()?;
                    cmds.push(cmd);
                    after_pipe = piped;
                }
            }
        }
    }

    /// Operands separated by spaces, up to `|` or the end of the pipeline; also the span of
    /// the `|` that ended it, if one did.
    fn command(&mut self) -> Result<(Command, Option<Span>), TemplateError> {
        let start = self.here().start;
        let mut args = Vec::new();
        loop {
            self.skip_space();
            let Some(arg) = self.operand()? else {
                break;
            };
            args.push(arg);
            match self.peek_tok() {
                Some(Tok::Space) => continue,
                Some(Tok::RightDelim | Tok::RightParen) => break,
                Some(Tok::Pipe) => break,
                other => {
                    return self.error(
                        self.here(),
                        format!("unexpected {} in operand", describe(other)),
                    );
                }
            }
        }
        let end = args.last().map_or(start, |a| a.span.end);
        if args.is_empty() {
            return self.error(
                start..self.here().end,
                format!("unexpected {} in command", describe(self.peek_tok())),
            );
        }
        let piped = match self.peek() {
            Some(Token {
                tok: Tok::Pipe,
                span,
            }) => Some(span.clone()),
            _ => None,
        };
        if piped.is_some() {
            self.next();
        }
        Ok((
            Command {
                args,
                span: start..end,
            },
            piped,
        ))
    }

    /// A term followed by optional `.Field`s.
    fn operand(&mut self) -> Result<Option<Arg>, TemplateError> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        let mut fields = Vec::new();
        let mut end = term.span.end;
        while let Some(Token {
            tok: Tok::Field(name),
            span,
        }) = self.peek().cloned()
        {
            self.next();
            fields.push(name);
            end = span.end;
        }
        if fields.is_empty() {
            return Ok(Some(term));
        }
        let span = term.span.start..end;
        let kind = match term.kind {
            ArgKind::Field(mut idents) => {
                idents.extend(fields);
                ArgKind::Field(idents)
            }
            ArgKind::Variable(name, mut idents) => {
                idents.extend(fields);
                ArgKind::Variable(name, idents)
            }
            ArgKind::Bool(_)
            | ArgKind::String(_)
            | ArgKind::Number(_)
            | ArgKind::Nil
            | ArgKind::Dot => {
                return self.error(span, "unexpected . after term");
            }
            other => ArgKind::Chain(
                Box::new(Arg {
                    kind: other,
                    span: term.span,
                }),
                fields,
            ),
        };
        Ok(Some(Arg { kind, span }))
    }

    fn term(&mut self) -> Result<Option<Arg>, TemplateError> {
        let Some(token) = self.peek().cloned() else {
            return Ok(None);
        };
        let kind = match token.tok {
            Tok::Ident(name) => match Func::lookup(&name, self.flavor) {
                Some(f) => ArgKind::Func(f),
                None => return self.error(token.span, format!("function {name:?} not defined")),
            },
            Tok::Dot => ArgKind::Dot,
            Tok::Nil => ArgKind::Nil,
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return self.error(token.span, format!("undefined variable {name:?}"));
                }
                ArgKind::Variable(name, Vec::new())
            }
            Tok::Field(name) => ArgKind::Field(vec![name]),
            Tok::Bool(b) => ArgKind::Bool(b),
            Tok::Number(text) => ArgKind::Number(parse_number(&text, &token.span)?),
            Tok::Str(s) => ArgKind::String(s),
            Tok::LeftParen => {
                self.next();
                self.enter(&token.span)?;
                let pipe = self.pipeline(false, &Tok::RightParen)?;
                self.depth -= 1;
                let span = token.span.start..pipe.span.end;
                return Ok(Some(Arg {
                    kind: ArgKind::Pipe(Box::new(pipe)),
                    span,
                }));
            }
            _ => return Ok(None),
        };
        self.next();
        Ok(Some(Arg {
            kind,
            span: token.span,
        }))
    }
}

/// Only the first command of a pipeline may be a constant.
fn check_pipeline(cmds: &[Command]) -> Result<(), TemplateError> {
    for (stage, cmd) in cmds.iter().enumerate().skip(1) {
        if let Some(first) = cmd.args.first()
            && matches!(
                first.kind,
                ArgKind::Bool(_)
                    | ArgKind::Dot
                    | ArgKind::Nil
                    | ArgKind::Number(_)
                    | ArgKind::String(_)
            )
        {
            return Err(TemplateError::parse(
                first.span.clone(),
                format!("non executable command in pipeline stage {}", stage + 1),
            ));
        }
    }
    Ok(())
}

fn describe(tok: Option<&Tok>) -> String {
    match tok {
        None => "end of input".to_owned(),
        Some(Tok::RightDelim) => "\"}}\"".to_owned(),
        Some(Tok::RightParen) => "\")\"".to_owned(),
        Some(Tok::LeftParen) => "\"(\"".to_owned(),
        Some(Tok::Pipe) => "\"|\"".to_owned(),
        Some(Tok::Declare) => "\":=\"".to_owned(),
        Some(Tok::Assign) => "\"=\"".to_owned(),
        Some(Tok::Comma) => "\",\"".to_owned(),
        Some(Tok::Keyword(_)) => "keyword".to_owned(),
        Some(Tok::Field(f)) => format!("field .{f}"),
        Some(other) => format!("{other:?}"),
    }
}

/// A Go numeric constant: integers in any base (with `_` separators), decimal floats.
fn parse_number(text: &str, span: &Span) -> Result<Number, TemplateError> {
    let bad = |why: &str| TemplateError::parse(span.clone(), format!("{why}: {text}"));
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    if clean.ends_with('i') {
        return Err(bad("complex numbers are not supported"));
    }
    let (negative, digits) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let lower = digits.to_ascii_lowercase();
    let radix_digits = if let Some(hex) = lower.strip_prefix("0x") {
        if hex.contains('p') || hex.contains('.') {
            return Err(bad("hexadecimal floats are not supported"));
        }
        Some((hex, 16))
    } else if let Some(oct) = lower.strip_prefix("0o") {
        Some((oct, 8))
    } else if let Some(bin) = lower.strip_prefix("0b") {
        Some((bin, 2))
    } else if !lower.contains(['.', 'e']) {
        if lower.len() > 1 && lower.starts_with('0') {
            Some((&lower[1..], 8))
        } else {
            Some((lower.as_str(), 10))
        }
    } else {
        None
    };
    match radix_digits {
        Some((body, radix)) => {
            let magnitude =
                i128::from_str_radix(body, radix).map_err(|_| bad("bad number syntax"))?;
            let value = if negative { -magnitude } else { magnitude };
            i64::try_from(value)
                .map(Number::Int)
                .map_err(|_| bad("number overflows int"))
        }
        None => clean
            .parse::<f64>()
            .map(Number::Float)
            .map_err(|_| bad("bad number syntax")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::lex;
    use super::*;

    fn parse_text(src: &str) -> Result<List, TemplateError> {
        parse(lex(src)?, src.len(), Flavor::Text)
    }

    #[test]
    fn numbers() {
        let n = |t: &str| parse_number(t, &(0..0)).unwrap();
        assert_eq!(n("42"), Number::Int(42));
        assert_eq!(n("-0x1F"), Number::Int(-31));
        assert_eq!(n("0755"), Number::Int(493));
        assert_eq!(n("0b1_01"), Number::Int(5));
        assert_eq!(n("1.5"), Number::Float(1.5));
        assert_eq!(n("1e3"), Number::Float(1000.0));
        assert_eq!(n(".5"), Number::Float(0.5));
        assert!(parse_number("99999999999999999999", &(0..0)).is_err());
        assert!(parse_number("1i", &(0..0)).is_err());
    }

    #[test]
    fn field_chains_merge() {
        let list = parse_text("{{ .Fields.v }}{{ $.A }}{{ (.X).Y }}").unwrap();
        let kinds: Vec<_> = list
            .0
            .iter()
            .map(|n| match n {
                Node::Action(p) => p.cmds[0].args[0].kind.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(kinds[0], ArgKind::Field(vec!["Fields".into(), "v".into()]));
        assert_eq!(kinds[1], ArgKind::Variable("$".into(), vec!["A".into()]));
        assert!(matches!(&kinds[2], ArgKind::Chain(_, f) if f == &["Y".to_owned()]));
    }

    #[test]
    fn else_if_nests() {
        let list = parse_text("{{if 1}}a{{else if 2}}b{{else}}c{{end}}").unwrap();
        let Node::Control(c) = &list.0[0] else {
            panic!()
        };
        let Some(List(inner)) = &c.otherwise else {
            panic!()
        };
        let Node::Control(nested) = &inner[0] else {
            panic!()
        };
        assert_eq!(nested.kind, ControlKind::If);
        assert_eq!(nested.otherwise, Some(List(vec![Node::Text("c".into())])));
    }

    #[test]
    fn parse_errors() {
        let cases = [
            ("{{ nope 1 }}", "function \"nope\" not defined", 3),
            ("{{ $x }}", "undefined variable \"$x\"", 3),
            ("{{ if 1 }}a", "missing {{end}}", 0),
            ("a{{ end }}", "unexpected {{end}}", 1),
            ("{{ else }}", "unexpected {{else}}", 0),
            ("{{ }}", "missing value for command", 3),
            (
                "{{ 1 | 2 }}",
                "non executable command in pipeline stage 2",
                7,
            ),
            ("{{ true.X }}", "unexpected . after term", 3),
            (
                "{{ if 1 }}{{ $x := 2 }}{{ end }}{{ $x }}",
                "undefined variable",
                35,
            ),
            ("{{ json . }}", "function \"json\" not defined", 3),
            ("{{ template \"x\" }}", "not supported", 3),
            ("{{ .A | }}", "missing command after |", 6),
            ("{{ | .A }}", "unexpected \"|\" in command", 3),
        ];
        for (src, want, at) in cases {
            let err = parse_text(src).unwrap_err();
            assert!(err.message.contains(want), "{src}: {}", err.message);
            assert_eq!(err.span.start, at, "{src}: {err}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "{{ if 1 }}".repeat(200);
        let err = parse_text(&deep).unwrap_err();
        assert!(err.message.contains("nested"), "{}", err.message);
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(500), ")".repeat(500));
        assert!(parse_text(&parens).is_err());
    }

    #[test]
    fn range_declarations() {
        assert!(parse_text("{{ range $k, $v := .M }}{{ $k }}{{ $v }}{{ end }}").is_ok());
        assert!(parse_text("{{ $a, $b := 1 }}").is_err());
        assert!(parse_text("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}").is_ok());
    }
}
