//! Task vars from a file, in Kapacitor's format (what `kapacitor define -vars` reads and the API's
//! `vars` holds): `{"name": {"type": "float", "value": 90}, ...}` as JSON, or the same shape as
//! TOML (`[name]` tables with `type` and `value`). They fill a template's `var x type`
//! declarations and override `var x = default` ones when the script is checked.

mod duration;
mod value;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::Value as Json;

use crate::ir::Value;

/// The vars of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct VarsFile {
    /// The file as named on the command line or in a manifest, for messages.
    pub name: String,
    pub vars: BTreeMap<String, Value>,
}

/// Why a vars file cannot be used: it names the file, and the var when one is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarsError {
    pub file: String,
    pub var: Option<String>,
    pub reason: String,
}

impl fmt::Display for VarsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.var {
            Some(var) => write!(f, "{}: var `{var}`: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

impl std::error::Error for VarsError {}

/// The syntax of a vars file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Toml,
}

impl Syntax {
    /// TOML for a `.toml` file, JSON otherwise (Kapacitor's own format).
    pub fn of(path: &Path) -> Syntax {
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
            Syntax::Toml
        } else {
            Syntax::Json
        }
    }
}

/// Reads and converts the vars file at `path`.
pub fn load(path: &Path) -> Result<VarsFile, VarsError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| VarsError {
        file: name.clone(),
        var: None,
        reason: format!("cannot read it: {e}"),
    })?;
    parse(&text, Syntax::of(path), &name)
}

/// Converts the text of a vars file; `name` is the file's name for messages.
pub fn parse(text: &str, syntax: Syntax, name: &str) -> Result<VarsFile, VarsError> {
    let error = |var: Option<&str>, reason: String| VarsError {
        file: name.to_owned(),
        var: var.map(str::to_owned),
        reason,
    };
    let document: Json = match syntax {
        Syntax::Json => serde_json::from_str(text).map_err(|e| error(None, format!("not valid JSON: {e}")))?,
        Syntax::Toml => {
            let table: toml::Table = toml::from_str(text).map_err(|e| error(None, format!("not valid TOML: {e}")))?;
            serde_json::to_value(table).map_err(|e| error(None, e.to_string()))?
        }
    };
    let Json::Object(entries) = document else {
        return Err(error(None, r#"a vars file maps names to vars: {"name": {"type": "float", "value": 90}}"#.to_owned()));
    };
    let vars = entries
        .iter()
        .map(|(var, definition)| {
            value::var_value(definition).map(|v| (var.clone(), v)).map_err(|reason| error(Some(var), reason))
        })
        .collect::<Result<_, _>>()?;
    Ok(VarsFile { name: name.to_owned(), vars })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_toml_read_the_same() {
        let json = r#"{"crit": {"type": "float", "value": 60}, "period": {"type": "duration", "value": "5m", "description": ""}}"#;
        let toml = "[crit]\ntype = \"float\"\nvalue = 60\n\n[period]\ntype = \"duration\"\nvalue = \"5m\"\n";
        let from_json = parse(json, Syntax::Json, "web.json").unwrap();
        let from_toml = parse(toml, Syntax::Toml, "web.toml").unwrap();
        assert_eq!(from_json.vars, from_toml.vars);
        assert_eq!(from_json.vars.get("period"), Some(&Value::Duration(300_000_000_000)));
    }

    #[test]
    fn errors_name_the_file_and_the_var() {
        let bad = parse(r#"{"crit": {"type": "float", "value": "high"}}"#, Syntax::Json, "web.json").unwrap_err();
        assert_eq!(bad.to_string(), r#"web.json: var `crit`: a value of type float is a number, not "high""#);
        let not_json = parse("{", Syntax::Json, "web.json").unwrap_err();
        assert!(not_json.to_string().starts_with("web.json: not valid JSON"), "{not_json}");
        let not_a_map = parse("[]", Syntax::Json, "web.json").unwrap_err();
        assert_eq!(not_a_map.var, None);
    }

    #[test]
    fn file_syntax() {
        assert_eq!(Syntax::of(Path::new("vars/web.TOML")), Syntax::Toml);
        assert_eq!(Syntax::of(Path::new("vars/web.json")), Syntax::Json);
    }
}
