//! Rust literals for the values a script fixes: numbers written the way a reader of the
//! generated code expects (`95.0`, `-3`, not `95f64`), and names made into identifiers.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

/// An `i64` expression.
pub(super) fn int(value: i64) -> TokenStream {
    if value == i64::MIN {
        quote!(i64::MIN)
    } else if value < 0 {
        let magnitude = Literal::i64_unsuffixed(-value);
        quote!(-#magnitude)
    } else {
        let literal = Literal::i64_unsuffixed(value);
        quote!(#literal)
    }
}

/// An `f64` expression; infinities and NaN have no literal.
pub(super) fn float(value: f64) -> TokenStream {
    if value.is_nan() {
        quote!(f64::NAN)
    } else if value.is_infinite() {
        if value > 0.0 {
            quote!(f64::INFINITY)
        } else {
            quote!(f64::NEG_INFINITY)
        }
    } else if value.is_sign_negative() {
        let magnitude = Literal::f64_unsuffixed(-value);
        quote!(-#magnitude)
    } else {
        let literal = Literal::f64_unsuffixed(value);
        quote!(#literal)
    }
}

/// A snake-case identifier from a name the IR made (`window2`, `http_out5`, `holtWinters5` →
/// `holt_winters5`): anything that is not a letter, digit or underscore becomes an underscore,
/// so the result always parses.
pub(super) fn ident(name: &str) -> Ident {
    let mut text = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !text.is_empty() && !text.ends_with('_') {
                text.push('_');
            }
            text.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() || c == '_' {
            text.push(c);
        } else {
            text.push('_');
        }
    }
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_digit()) {
        text.insert(0, '_');
    }
    Ident::new(&text, Span::call_site())
}

/// `window2` → `Window2`, `http_out5` → `HttpOut5`, `crit` → `Crit`: a type name.
pub(super) fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// A TICKscript function name as the runtime's static for it: `strContains` → `STR_CONTAINS`.
pub(super) fn upper_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(int(60_000_000_000).to_string(), "60000000000");
        assert_eq!(int(-3).to_string(), "- 3");
        assert_eq!(int(i64::MIN).to_string(), "i64 :: MIN");
        assert_eq!(float(95.0).to_string(), "95.0");
        assert_eq!(float(-0.5).to_string(), "- 0.5");
        assert_eq!(float(f64::INFINITY).to_string(), "f64 :: INFINITY");
        assert_eq!(float(f64::NAN).to_string(), "f64 :: NAN");
    }

    #[test]
    fn names_become_identifiers() {
        assert_eq!(ident("http_out5").to_string(), "http_out5");
        assert_eq!(ident("a-b").to_string(), "a_b");
        assert_eq!(ident("9").to_string(), "_9");
        assert_eq!(ident("holtWinters5").to_string(), "holt_winters5");
        assert_eq!(camel("http_out5"), "HttpOut5");
        assert_eq!(camel("crit"), "Crit");
        assert_eq!(upper_snake("strContainsAny"), "STR_CONTAINS_ANY");
        assert_eq!(upper_snake("log10"), "LOG10");
        assert_eq!(upper_snake("if"), "IF");
    }
}
