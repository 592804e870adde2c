//! The canonical spelling of literals: numbers, strings, references and regexes.

/// An integer; octal ones (written with a leading `0`) keep their base and the `0`.
pub(super) fn int(value: i64, octal: bool) -> String {
    if octal { format!("0{value:o}") } else { value.to_string() }
}

/// A float in plain positional notation with the fewest digits that read back to the same
/// value, always with a `.` so it stays a float (`1.0`, `0.5`).
pub(super) fn float(value: f64) -> String {
    let mut text = value.to_string();
    if !text.contains('.') {
        text.push_str(".0");
    }
    text
}

/// A string in single quotes with `'` escaped, or raw in triple quotes.
pub(super) fn string(value: &str, triple: bool) -> String {
    if triple { format!("'''{value}'''") } else { quoted(value, '\'') }
}

/// A double-quoted reference with `"` escaped.
pub(super) fn reference(name: &str) -> String {
    quoted(name, '"')
}

/// A regex between slashes, with `/` escaped as the lexer expects.
pub(super) fn regex(pattern: &str) -> String {
    format!("/{}/", pattern.replace('/', "\\/"))
}

/// `text` between two `quote`s, each `quote` inside escaped with a backslash (the only escape
/// TICKscript's lexer resolves).
fn quoted(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        if c == quote {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(int(420, true), "0644");
        assert_eq!(int(1, true), "01");
        assert_eq!(int(0, true), "00");
        assert_eq!(int(0, false), "0");
        assert_eq!(int(600, false), "600");
        assert_eq!(float(1.0), "1.0");
        assert_eq!(float(0.5), "0.5");
        assert_eq!(float(123.456), "123.456");
        assert_eq!(float(1e21), "1000000000000000000000.0");
        assert_eq!(float(1e-7), "0.0000001");
    }

    #[test]
    fn quoting() {
        assert_eq!(string("it's", false), r"'it\'s'");
        assert_eq!(string("it's", true), "'''it's'''");
        assert_eq!(string("", false), "''");
        assert_eq!(reference(r#"a"b"#), r#""a\"b""#);
        assert_eq!(regex("^/root/"), r"/^\/root\//");
        assert_eq!(regex(".*"), "/.*/");
    }
}
