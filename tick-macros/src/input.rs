//! The input of `tick!`: `ATTRIBUTES VISIBILITY mod NAME, "SCRIPT"` or
//! `... mod NAME, path = "FILE"`, with an optional trailing comma.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Token, Visibility};

pub(crate) struct TickInput {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) name: Ident,
    pub(crate) script: Script,
}

/// Where the script is.
pub(crate) enum Script {
    Inline(LitStr),
    /// A path relative to the crate's manifest.
    File(LitStr),
}

impl Script {
    /// The literal the script came from, where its errors point.
    pub(crate) fn span(&self) -> Span {
        match self {
            Script::Inline(literal) | Script::File(literal) => literal.span(),
        }
    }
}

mod kw {
    syn::custom_keyword!(path);
}

impl Parse for TickInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        input.parse::<Token![mod]>()?;
        let name = input.parse()?;
        input.parse::<Token![,]>()?;
        let script = if input.peek(kw::path) {
            input.parse::<kw::path>()?;
            input.parse::<Token![=]>()?;
            Script::File(input.parse()?)
        } else if input.peek(LitStr) {
            Script::Inline(input.parse()?)
        } else {
            return Err(input.error("expected the script as a string literal, or `path = \"FILE.tick\"`"));
        };
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
        if !input.is_empty() {
            return Err(input.error("unexpected input after the script"));
        }
        Ok(TickInput { attrs, vis, name, script })
    }
}
