//! Go's text/template and html/template, as Kapacitor's alert node uses them for `.id()`,
//! `.message()` (text) and `.details()` (html, with Kapacitor's `json` function).
//!
//! Templates are parsed once (`tickc` parses them at compile time to report errors with a
//! span inside the script's string) and rendered per event over a [`Value`], usually built
//! with [`alert_data`]. Output follows Go 1.13, the version Kapacitor 1.5.7 was built with:
//! its fmt rules, `<no value>` for missing values, `and`/`or` that evaluate every argument.
//!
//! The html flavour escapes every inserted value as html/template does in HTML text;
//! it does not track other contexts (attributes, `<script>`, URLs).

pub mod alert_data;
mod ast;
mod error;
pub mod escape;
mod exec;
mod flat;
mod funcs;
mod gofloat;
mod gofmt;
mod gotime;
mod json;
mod lexer;
mod methods;
mod parser;
mod reads;
mod value;

#[cfg(test)]
mod conformance_tests;

pub use error::{Phase, TemplateError};
pub use value::{MapElem, MapValue, StructField, StructValue, Value};

/// Which Go package the template behaves as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// text/template: values print as they are.
    Text,
    /// html/template (Kapacitor's details): values are HTML-escaped, and `json` exists.
    Html,
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    root: ast::List,
    flavor: Flavor,
}

impl Template {
    /// Parses a text/template (Kapacitor's `.id()` and `.message()`).
    pub fn parse(src: &str) -> Result<Template, TemplateError> {
        Template::parse_flavor(src, Flavor::Text)
    }

    /// Parses an html/template with Kapacitor's `json` function (`.details()`).
    pub fn parse_html(src: &str) -> Result<Template, TemplateError> {
        Template::parse_flavor(src, Flavor::Html)
    }

    pub fn parse_flavor(src: &str, flavor: Flavor) -> Result<Template, TemplateError> {
        let tokens = lexer::lex(src)?;
        let root = parser::parse(tokens, src.len(), flavor)?;
        Ok(Template { root, flavor })
    }

    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Renders the template over `data`. Errors carry the span of the failing action.
    pub fn render(&self, data: &Value) -> Result<String, TemplateError> {
        exec::execute(&self.root, self.flavor, data)
    }
}

#[cfg(test)]
mod tests;
