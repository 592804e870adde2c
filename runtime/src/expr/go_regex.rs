//! Compiling TICKscript regex literals with Go's (RE2) meaning on top of the regex crate.
//!
//! The syntaxes are nearly the same; the differences that change what matches are rewritten:
//! Go's `\d`, `\w`, `\s` and `\b` are ASCII-only where the regex crate's are Unicode-aware, Go
//! reads `[`, `&&` and `~~` inside a class literally where the regex crate sees nested classes
//! and set operations, and Go's `\Q...\E` quotes a literal.

use regex::Regex;

/// Compiles a regex literal as Go's `regexp.MustCompile` would read it.
pub fn compile_regex(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&translate(pattern))
}

/// The ASCII meaning of Go's Perl classes, as members of a bracketed class.
fn perl_class_members(class: char) -> Option<&'static str> {
    match class.to_ascii_lowercase() {
        'd' => Some("0-9"),
        'w' => Some("0-9A-Za-z_"),
        // Go's \s is [\t\n\f\r ]: no vertical tab, unlike Rust's ASCII space class.
        's' => Some(r"\t\n\x0C\r\x20"),
        _ => None,
    }
}

fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(escaped) = chars.next() else {
                    // A trailing backslash: left for the regex crate to reject.
                    out.push('\\');
                    break;
                };
                match (escaped, perl_class_members(escaped)) {
                    (_, Some(members)) => {
                        let negated = escaped.is_ascii_uppercase();
                        match (in_class, negated) {
                            (true, false) => out.push_str(members),
                            _ => {
                                out.push_str(if negated { "[^" } else { "[" });
                                out.push_str(members);
                                out.push(']');
                            }
                        }
                    }
                    ('b' | 'B', None) if !in_class => {
                        out.push_str("(?-u:\\");
                        out.push(escaped);
                        out.push(')');
                    }
                    ('Q', None) if !in_class => {
                        let mut literal = String::new();
                        while let Some(q) = chars.next() {
                            if q == '\\' && chars.peek() == Some(&'E') {
                                chars.next();
                                break;
                            }
                            literal.push(q);
                        }
                        out.push_str(&regex::escape(&literal));
                    }
                    (other, None) => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                // A `]` right after the opening bracket is a member, in both syntaxes.
                if chars.peek() == Some(&']') {
                    chars.next();
                    out.push_str("\\]");
                }
            }
            '[' if chars.peek() == Some(&':') => {
                // An ASCII class such as [:alpha:], copied through its closing ":]".
                out.push('[');
                for p in chars.by_ref() {
                    out.push(p);
                    if p == ']' {
                        break;
                    }
                }
            }
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        compile_regex(pattern).unwrap().is_match(text)
    }

    #[test]
    fn perl_classes_are_ascii() {
        assert!(matches(r"^\w+$", "web_01"));
        assert!(!matches(r"^\w+$", "café"));
        assert!(!matches(r"^\d$", "٣"));
        assert!(matches(r"^\D$", "٣"));
        assert!(matches(r"^[\w.-]+$", "db-7.local"));
        assert!(!matches(r"^[\w]+$", "é"));
        assert!(matches(r"^[^\d]+$", "abc"));
        assert!(matches(r"^[\D]+$", "é"));
        assert!(matches(r"^a\sb$", "a b"));
        assert!(!matches(r"^a\sb$", "a\u{b}b"));
        assert!(!matches(r"^a\sb$", "a\u{a0}b"));
    }

    #[test]
    fn word_boundaries_are_ascii() {
        assert!(matches(r"\bcpu\b", "a cpu b"));
        assert!(matches(r"\bé", "aé"));
        assert!(!matches(r"\Bcpu", " cpu"));
    }

    #[test]
    fn class_punctuation_is_literal() {
        assert!(matches(r"^[[]$", "["));
        assert!(matches(r"^[a&&b]+$", "a&b"));
        assert!(matches(r"^[]a]+$", "]a"));
        assert!(matches(r"^[[:alpha:]]+$", "abc"));
        assert!(!matches(r"^[^]a]$", "]"));
    }

    #[test]
    fn quoted_literals() {
        assert!(matches(r"^\Qa.b*\E$", "a.b*"));
        assert!(!matches(r"^\Qa.b\E$", "axb"));
    }

    #[test]
    fn escaped_slashes_and_ordinary_patterns_pass_through() {
        assert!(matches(r"^\/var\/log", "/var/log/x"));
        assert!(matches(r"^(\w+)-(\d+)$", "web-12"));
        assert!(matches(r"(?i)^CPU", "cpu0"));
        assert!(compile_regex(r"(").is_err());
        assert!(compile_regex("a\\").is_err());
    }
}
