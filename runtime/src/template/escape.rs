//! The escapers: html/template's escaping of inserted values in HTML text, and the
//! text/template functions `html`, `js` and `urlquery`.

use crate::escape_runs::{Marks, escape_into, marks};

/// html/template's escaper for a value inserted into HTML text: besides `& < > " '` it
/// escapes `+` (against UTF-7 sniffing) and replaces NUL.
pub fn html_text_escape(s: &str) -> String {
    const MARKED: Marks = marks(b"\0\"&'+<>", 0);
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s, &MARKED, |c| match c {
        '\0' => Some("\u{FFFD}"),
        '+' => Some("&#43;"),
        c => html_entity(c),
    });
    out
}

/// text/template's `html` function (`template.HTMLEscapeString`).
pub fn html_escape(s: &str) -> String {
    const MARKED: Marks = marks(b"\"&'<>", 0);
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s, &MARKED, html_entity);
    out
}

/// The entity both HTML escapers write for `c`, if it is one they escape.
fn html_entity(c: char) -> Option<&'static str> {
    Some(match c {
        '"' => "&#34;",
        '&' => "&amp;",
        '\'' => "&#39;",
        '<' => "&lt;",
        '>' => "&gt;",
        _ => return None,
    })
}

/// text/template's `js` function (`template.JSEscapeString`).
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\x3C"),
            '>' => out.push_str("\\x3E"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// text/template's `urlquery` function (`url.QueryEscape`).
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Undoes the HTML escaping of the details template: the entities html/template writes
/// (`&lt;`, `&#34;`...) and numeric references.
pub fn html_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity.strip_prefix('#').and_then(|n| {
                    match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    }
                    .and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapers() {
        assert_eq!(
            html_text_escape("<b>a&b \"q\" 'x' +1\0</b>"),
            "&lt;b&gt;a&amp;b &#34;q&#34; &#39;x&#39; &#43;1\u{FFFD}&lt;/b&gt;"
        );
        assert_eq!(
            html_escape("<a href='x'>&+</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;+&lt;/a&gt;"
        );
        assert_eq!(
            js_escape("a'b\"c\\d<e>\n"),
            "a\\'b\\\"c\\\\d\\x3Ce\\x3E\\u000A"
        );
        assert_eq!(query_escape("a b&c=d/é~"), "a+b%26c%3Dd%2F%C3%A9~");
    }

    #[test]
    fn unescapes_what_html_template_escapes() {
        assert_eq!(
            html_unescape("&lt;b&gt; &#34;x&#34; &amp;amp; &#x41; & &bogus; end&"),
            "<b> \"x\" &amp; A & &bogus; end&"
        );
    }
}
