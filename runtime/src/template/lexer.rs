//! Splits template text into tokens the way Go's text/template lexer does (Go 1.13, the
//! version Kapacitor 1.5.7 was built with): `{{ }}` actions with `{{-`/`-}}` trim markers,
//! `{{/* */}}` comments, and the words inside actions. As in Go 1.13, a newline inside an
//! action is an error.

use std::ops::Range;

use super::error::TemplateError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Literal text, with trim markers already applied.
    Text(String),
    LeftDelim,
    RightDelim,
    Space,
    Ident(String),
    /// `.Name` (the name without the dot).
    Field(String),
    /// `$name` (with the dollar), or `$` alone.
    Variable(String),
    Dot,
    Bool(bool),
    Nil,
    /// A number or character constant's source text.
    Number(String),
    /// A string literal's value.
    Str(String),
    Pipe,
    LeftParen,
    RightParen,
    Declare,
    Assign,
    Comma,
    Keyword(Keyword),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    If,
    Else,
    End,
    Range,
    With,
    Define,
    Template,
    Block,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn is_trim_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Tokenizes a whole template.
pub fn lex(src: &str) -> Result<Vec<Token>, TemplateError> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        tokens: Vec::new(),
        trim_next_text: false,
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    /// The previous action ended with `-}}`: drop the next text's leading white space.
    trim_next_text: bool,
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or_default()
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn emit(&mut self, tok: Tok, start: usize) {
        self.tokens.push(Token {
            tok,
            span: start..self.pos,
        });
    }

    fn error<T>(&self, start: usize, message: impl Into<String>) -> Result<T, TemplateError> {
        Err(TemplateError::parse(
            start..self.pos.max(start + 1).min(self.src.len().max(start)),
            message,
        ))
    }

    fn run(&mut self) -> Result<(), TemplateError> {
        while self.pos < self.src.len() {
            let start = self.pos;
            let action_at = self.rest().find(LEFT).map(|i| start + i);
            let text_end = action_at.unwrap_or(self.src.len());
            let mut text = self.src.get(start..text_end).unwrap_or_default();
            if std::mem::take(&mut self.trim_next_text) {
                text = text.trim_start_matches(|c: char| c.is_ascii() && is_trim_space(c as u8));
            }
            let Some(action_at) = action_at else {
                self.pos = text_end;
                self.emit_text(text, start);
                break;
            };
            let after_delim = action_at + LEFT.len();
            let left_trim = self.src.as_bytes().get(after_delim) == Some(&b'-')
                && self
                    .src
                    .as_bytes()
                    .get(after_delim + 1)
                    .is_some_and(|&c| is_trim_space(c));
            if left_trim {
                text = text.trim_end_matches(|c: char| c.is_ascii() && is_trim_space(c as u8));
            }
            self.pos = action_at;
            self.emit_text(text, start);
            self.pos = if left_trim {
                after_delim + 2
            } else {
                after_delim
            };
            self.lex_action(action_at)?;
        }
        Ok(())
    }

    fn emit_text(&mut self, text: &str, start: usize) {
        if !text.is_empty() {
            self.tokens.push(Token {
                tok: Tok::Text(text.to_owned()),
                span: start..self.pos,
            });
        }
    }

    /// At `}}` or ` -}}`: consumes it and says whether it trims.
    fn at_right_delim(&mut self) -> Option<bool> {
        let rest = self.rest().as_bytes();
        if rest.starts_with(RIGHT.as_bytes()) {
            self.pos += RIGHT.len();
            return Some(false);
        }
        if rest.len() >= 2 + RIGHT.len()
            && is_trim_space(rest[0])
            && rest[1] == b'-'
            && rest[2..].starts_with(RIGHT.as_bytes())
        {
            self.pos += 2 + RIGHT.len();
            return Some(true);
        }
        None
    }

    fn lex_action(&mut self, open: usize) -> Result<(), TemplateError> {
        // A comment must follow the delimiter (and its trim marker) directly.
        if self.rest().starts_with("/*") {
            let Some(end) = self.rest().find("*/") else {
                return self.error(open, "unclosed comment");
            };
            self.pos += end + 2;
            return match self.at_right_delim() {
                Some(trim) => {
                    self.trim_next_text = trim;
                    Ok(())
                }
                None => self.error(open, "comment ends before closing delimiter"),
            };
        }
        self.tokens.push(Token {
            tok: Tok::LeftDelim,
            span: open..self.pos,
        });
        let mut parens = 0usize;
        loop {
            let start = self.pos;
            if let Some(trim) = self.at_right_delim() {
                if parens > 0 {
                    return self.error(start, "unclosed left paren");
                }
                self.trim_next_text = trim;
                self.emit(Tok::RightDelim, start);
                return Ok(());
            }
            let Some(c) = self.peek_char() else {
                return self.error(open, "unclosed action");
            };
            match c {
                '\n' | '\r' => {
                    return self.error(open, "unclosed action: a newline inside {{ }} is not allowed (Go 1.13 templates)");
                }
                ' ' | '\t' => {
                    // Stop before " -}}" so the trim marker is seen.
                    while matches!(self.peek_char(), Some(' ' | '\t'))
                        && self.at_right_delim_ahead().is_none()
                    {
                        self.pos += 1;
                    }
                    if self.pos == start {
                        // Only the trim marker follows; it is handled on the next turn.
                        continue;
                    }
                    self.emit(Tok::Space, start);
                }
                '=' => {
                    self.pos += 1;
                    self.emit(Tok::Assign, start);
                }
                ':' => {
                    if !self.rest().starts_with(":=") {
                        self.pos += 1;
                        return self.error(start, "expected :=");
                    }
                    self.pos += 2;
                    self.emit(Tok::Declare, start);
                }
                '|' => {
                    self.pos += 1;
                    self.emit(Tok::Pipe, start);
                }
                ',' => {
                    self.pos += 1;
                    self.emit(Tok::Comma, start);
                }
                '(' => {
                    self.pos += 1;
                    parens += 1;
                    self.emit(Tok::LeftParen, start);
                }
                ')' => {
                    self.pos += 1;
                    if parens == 0 {
                        return self.error(start, "unexpected right paren");
                    }
                    parens -= 1;
                    self.emit(Tok::RightParen, start);
                }
                '"' => self.lex_quote(start)?,
                '`' => self.lex_raw_quote(start)?,
                '\'' => self.lex_char(start)?,
                '$' => {
                    self.pos += 1;
                    self.take_alnum();
                    self.check_terminator(start)?;
                    let name = self.src.get(start..self.pos).unwrap_or("$").to_owned();
                    self.emit(Tok::Variable(name), start);
                }
                '.' => {
                    let next = self.rest().as_bytes().get(1).copied();
                    if next.is_some_and(|b| b.is_ascii_digit()) {
                        self.lex_number(start)?;
                    } else {
                        self.pos += 1;
                        let name_start = self.pos;
                        self.take_alnum();
                        self.check_terminator(start)?;
                        if self.pos == name_start {
                            self.emit(Tok::Dot, start);
                        } else {
                            let name = self
                                .src
                                .get(name_start..self.pos)
                                .unwrap_or_default()
                                .to_owned();
                            self.emit(Tok::Field(name), start);
                        }
                    }
                }
                '+' | '-' | '0'..='9' => self.lex_number(start)?,
                c if is_alnum(c) => {
                    self.take_alnum();
                    self.check_terminator(start)?;
                    let word = self.src.get(start..self.pos).unwrap_or_default();
                    let tok = match word {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        "nil" => Tok::Nil,
                        "if" => Tok::Keyword(Keyword::If),
                        "else" => Tok::Keyword(Keyword::Else),
                        "end" => Tok::Keyword(Keyword::End),
                        "range" => Tok::Keyword(Keyword::Range),
                        "with" => Tok::Keyword(Keyword::With),
                        "define" => Tok::Keyword(Keyword::Define),
                        "template" => Tok::Keyword(Keyword::Template),
                        "block" => Tok::Keyword(Keyword::Block),
                        _ => Tok::Ident(word.to_owned()),
                    };
                    self.emit(tok, start);
                }
                other => {
                    self.pos += other.len_utf8();
                    return self.error(
                        start,
                        format!("unrecognized character in action: {other:?}"),
                    );
                }
            }
        }
    }

    fn at_right_delim_ahead(&self) -> Option<()> {
        let rest = self.rest().as_bytes();
        (rest.len() >= 2 + RIGHT.len()
            && rest[1] == b'-'
            && rest[2..].starts_with(RIGHT.as_bytes()))
        .then_some(())
    }

    fn take_alnum(&mut self) {
        let len: usize = self
            .rest()
            .chars()
            .take_while(|&c| is_alnum(c))
            .map(char::len_utf8)
            .sum();
        self.pos += len;
    }

    /// A word must be followed by something that can end it.
    fn check_terminator(&mut self, start: usize) -> Result<(), TemplateError> {
        match self.peek_char() {
            None | Some(' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '(') => Ok(()),
            Some(_) if self.rest().starts_with(RIGHT) => Ok(()),
            Some(c) => {
                self.pos += c.len_utf8();
                self.error(start, format!("bad character {c:?}"))
            }
        }
    }

    fn lex_number(&mut self, start: usize) -> Result<(), TemplateError> {
        let bytes = self.src.as_bytes();
        let mut i = self.pos;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut digits: &[u8] = b"0123456789_";
        let mut exponent: &[u8] = b"eE";
        if bytes.get(i) == Some(&b'0') {
            match bytes.get(i + 1) {
                Some(b'x' | b'X') => {
                    i += 2;
                    digits = b"0123456789abcdefABCDEF_";
                    exponent = b"pP";
                }
                Some(b'o' | b'O') => {
                    i += 2;
                    digits = b"01234567_";
                }
                Some(b'b' | b'B') => {
                    i += 2;
                    digits = b"01_";
                }
                _ => {}
            }
        }
        let take = |i: &mut usize, set: &[u8]| {
            while bytes.get(*i).is_some_and(|c| set.contains(c)) {
                *i += 1;
            }
        };
        take(&mut i, digits);
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            take(&mut i, digits);
        }
        if bytes.get(i).is_some_and(|c| exponent.contains(c)) {
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            take(&mut i, b"0123456789_");
        }
        if bytes.get(i) == Some(&b'i') {
            i += 1;
        }
        self.pos = i;
        if self.peek_char().is_some_and(is_alnum) {
            self.take_alnum();
            return self.error(
                start,
                format!(
                    "bad number syntax: {:?}",
                    self.src.get(start..self.pos).unwrap_or_default()
                ),
            );
        }
        let text = self.src.get(start..self.pos).unwrap_or_default().to_owned();
        self.emit(Tok::Number(text), start);
        Ok(())
    }

    fn lex_quote(&mut self, start: usize) -> Result<(), TemplateError> {
        self.pos += 1;
        let mut bytes = Vec::new();
        loop {
            let Some(c) = self.peek_char() else {
                return self.error(start, "unterminated quoted string");
            };
            self.pos += c.len_utf8();
            match c {
                '"' => break,
                '\n' | '\r' => return self.error(start, "unterminated quoted string"),
                '\\' => self.unescape(start, '"', &mut bytes)?,
                c => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        let value = String::from_utf8_lossy(&bytes).into_owned();
        self.emit(Tok::Str(value), start);
        Ok(())
    }

    fn lex_raw_quote(&mut self, start: usize) -> Result<(), TemplateError> {
        self.pos += 1;
        let Some(len) = self.rest().find('`') else {
            return self.error(start, "unterminated raw quoted string");
        };
        let value = self.rest().get(..len).unwrap_or_default().replace('\r', "");
        self.pos += len + 1;
        self.emit(Tok::Str(value), start);
        Ok(())
    }

    fn lex_char(&mut self, start: usize) -> Result<(), TemplateError> {
        self.pos += 1;
        let mut bytes = Vec::new();
        match self.peek_char() {
            Some('\\') => {
                self.pos += 1;
                self.unescape(start, '\'', &mut bytes)?;
            }
            Some(c) if c != '\'' && c != '\n' => {
                self.pos += c.len_utf8();
                bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
            _ => return self.error(start, "malformed character constant"),
        }
        if self.peek_char() != Some('\'') {
            return self.error(start, "unterminated character constant");
        }
        self.pos += 1;
        let text = String::from_utf8_lossy(&bytes);
        let code = match (text.chars().next(), bytes.len()) {
            (Some(c), _) if c.len_utf8() == bytes.len() => u32::from(c),
            (_, 1) => u32::from(bytes[0]),
            _ => return self.error(start, "malformed character constant"),
        };
        self.emit(Tok::Number(code.to_string()), start);
        Ok(())
    }

    /// After a backslash: appends the escaped character's bytes (Go's strconv rules).
    fn unescape(
        &mut self,
        start: usize,
        quote: char,
        out: &mut Vec<u8>,
    ) -> Result<(), TemplateError> {
        let Some(c) = self.peek_char() else {
            return self.error(start, "unterminated quoted string");
        };
        self.pos += c.len_utf8();
        let simple = match c {
            'a' => Some(0x07),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' => Some(b'\\'),
            c if c == quote => Some(c as u8),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            return Ok(());
        }
        let (count, radix) = match c {
            'x' => (2, 16),
            'u' => (4, 16),
            'U' => (8, 16),
            '0'..='7' => (2, 8),
            _ => return self.error(start, format!("unknown escape sequence \\{c}")),
        };
        let digits_start = if radix == 8 { self.pos - 1 } else { self.pos };
        let digits_end = self.pos + count;
        let Some(digits) = self.src.get(digits_start..digits_end) else {
            return self.error(start, "invalid escape sequence");
        };
        let Ok(code) = u32::from_str_radix(digits, radix) else {
            return self.error(start, "invalid escape sequence");
        };
        self.pos = digits_end;
        match c {
            'x' | '0'..='7' => {
                let Ok(byte) = u8::try_from(code) else {
                    return self.error(start, "octal escape value > 255");
                };
                out.push(byte);
            }
            _ => {
                let Some(ch) = char::from_u32(code) else {
                    return self.error(start, "invalid Unicode code point in escape");
                };
                out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn text_and_actions() {
        assert_eq!(
            toks("a {{ .Name }} b"),
            vec![
                Tok::Text("a ".into()),
                Tok::LeftDelim,
                Tok::Space,
                Tok::Field("Name".into()),
                Tok::Space,
                Tok::RightDelim,
                Tok::Text(" b".into())
            ]
        );
    }

    #[test]
    fn trim_markers_eat_white_space() {
        assert_eq!(
            toks("a  \n{{- 3 -}}\n\t b"),
            vec![
                Tok::Text("a".into()),
                Tok::LeftDelim,
                Tok::Number("3".into()),
                Tok::RightDelim,
                Tok::Text("b".into())
            ]
        );
        // Without a space after the dash it is a negative number.
        assert_eq!(
            toks("{{-3}}"),
            vec![Tok::LeftDelim, Tok::Number("-3".into()), Tok::RightDelim]
        );
    }

    #[test]
    fn comments_vanish() {
        assert_eq!(
            toks("a{{/* x }} */}}b"),
            vec![Tok::Text("a".into()), Tok::Text("b".into())]
        );
        assert_eq!(
            toks("a {{- /* x */ -}} b"),
            vec![Tok::Text("a".into()), Tok::Text("b".into())]
        );
        assert!(lex("{{/* x */ }}").is_err());
    }

    #[test]
    fn words() {
        assert_eq!(
            toks(r#"{{$x := index .Tags "h\"\x41" | printf `%s` 'a' (.A.B).C}}"#),
            vec![
                Tok::LeftDelim,
                Tok::Variable("$x".into()),
                Tok::Space,
                Tok::Declare,
                Tok::Space,
                Tok::Ident("index".into()),
                Tok::Space,
                Tok::Field("Tags".into()),
                Tok::Space,
                Tok::Str("h\"A".into()),
                Tok::Space,
                Tok::Pipe,
                Tok::Space,
                Tok::Ident("printf".into()),
                Tok::Space,
                Tok::Str("%s".into()),
                Tok::Space,
                Tok::Number("97".into()),
                Tok::Space,
                Tok::LeftParen,
                Tok::Field("A".into()),
                Tok::Field("B".into()),
                Tok::RightParen,
                Tok::Field("C".into()),
                Tok::RightDelim,
            ]
        );
    }

    #[test]
    fn errors_carry_spans() {
        let e = lex("ab {{ .X\n }}").unwrap_err();
        assert_eq!(e.span.start, 3);
        assert!(e.message.contains("newline"), "{}", e.message);
        assert_eq!(lex("{{ 3x }}").unwrap_err().span, 3..5);
        assert!(lex("{{ \"abc }}").is_err());
        assert!(lex("{{ ) }}").is_err());
        assert!(lex("{{ ( }}").is_err());
        assert!(lex("{{ .A").is_err());
        assert!(lex("{{ # }}").is_err());
    }
}
