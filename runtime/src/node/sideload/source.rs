//! A sideload source: the files under a `file://` folder, read once when the task starts, as
//! Kapacitor's sideload service reads them: every file of the tree, by its path relative to
//! the folder, holding a map of keys to values. `.json` files are read as JSON, `.yml` and
//! `.yaml` files as YAML (typed as Kapacitor types them, see [`super::yaml`]); other files hold
//! no keys. One unreadable file makes the whole source unusable, as in Kapacitor, and the error
//! names it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::yaml::read_yaml;

/// A value of a sideload file. Numbers are all floats, as Kapacitor reads them.
#[derive(Debug, Clone, PartialEq)]
pub enum SideValue {
    Float(f64),
    Bool(bool),
    String(String),
    /// `null`: the key reads as absent.
    Null,
    /// An array or an object: it converts to nothing.
    Nested,
}

/// The files of one source, by relative path (`/`-separated).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SideloadSource {
    files: HashMap<String, HashMap<String, SideValue>>,
}

impl SideloadSource {
    /// Reads every file under the folder of `url` (`file:///abs/path`).
    pub fn load(url: &str) -> Result<SideloadSource, String> {
        let path = url
            .strip_prefix("file://")
            .ok_or_else(|| format!("unsupported sideload source {url:?}: it must be a file:// URL"))?;
        let dir = Path::new(path);
        if !dir.is_absolute() {
            return Err(format!("sideload source {url:?}: the path must be absolute"));
        }
        let mut source = SideloadSource::default();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(folder) = pending.pop() {
            let entries = std::fs::read_dir(&folder)
                .map_err(|e| format!("cannot read sideload folder {}: {e}", folder.display()))?;
            for entry in entries {
                let path = entry.map_err(|e| format!("cannot read sideload folder {}: {e}", folder.display()))?.path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    let relative = relative_name(dir, &path);
                    source.files.insert(relative, read_values(&path)?);
                }
            }
        }
        Ok(source)
    }

    /// The value of `key` in the first file of `order` that has it; none when that value is
    /// `null`.
    pub fn lookup(&self, order: &[String], key: &str) -> Option<&SideValue> {
        order
            .iter()
            .filter_map(|file| self.files.get(file))
            .find_map(|values| values.get(key))
            .filter(|value| **value != SideValue::Null)
    }
}

/// `path` relative to `dir`, with `/` between its parts.
fn relative_name(dir: &Path, path: &Path) -> String {
    let relative: PathBuf = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn read_values(path: &Path) -> Result<HashMap<String, SideValue>, String> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(extension, "json" | "yaml" | "yml") {
        return Ok(HashMap::new());
    }
    let text = std::fs::read(path).map_err(|e| format!("cannot read sideload file {}: {e}", path.display()))?;
    if extension == "json" {
        let values: HashMap<String, serde_json::Value> = serde_json::from_slice(&text)
            .map_err(|e| format!("sideload file {} is not a JSON object of values: {e}", path.display()))?;
        return Ok(values.into_iter().map(|(k, v)| (k, side_value(v))).collect());
    }
    let text = std::str::from_utf8(&text)
        .map_err(|e| format!("sideload file {} is not UTF-8 text: {e}", path.display()))?;
    read_yaml(text).map_err(|e| format!("sideload file {}: {e}", path.display()))
}

fn side_value(value: serde_json::Value) -> SideValue {
    use serde_json::Value as J;
    match value {
        J::Null => SideValue::Null,
        J::Bool(b) => SideValue::Bool(b),
        J::Number(n) => n.as_f64().map_or(SideValue::Nested, SideValue::Float),
        J::String(s) => SideValue::String(s),
        J::Array(_) | J::Object(_) => SideValue::Nested,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_by_relative_path_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("hosts")).unwrap();
        std::fs::write(dir.path().join("hosts/a.json"), r#"{"cpu_threshold": 80, "owner": "ops", "gone": null}"#).unwrap();
        std::fs::write(dir.path().join("default.json"), r#"{"cpu_threshold": 90, "gone": true, "list": [1]}"#).unwrap();
        std::fs::write(dir.path().join("README"), "not values").unwrap();
        let source = SideloadSource::load(&format!("file://{}", dir.path().display())).unwrap();
        let order = ["hosts/a.json".to_owned(), "default.json".to_owned()];
        assert_eq!(source.lookup(&order, "cpu_threshold"), Some(&SideValue::Float(80.0)));
        assert_eq!(source.lookup(&order, "owner"), Some(&SideValue::String("ops".into())));
        // A null ends the search with nothing (the default), as in Kapacitor.
        assert_eq!(source.lookup(&order, "gone"), None);
        assert_eq!(source.lookup(&order, "list"), Some(&SideValue::Nested));
        assert_eq!(source.lookup(&order, "missing"), None);
        assert_eq!(source.lookup(&["hosts/b.json".to_owned()], "owner"), None);
    }

    #[test]
    fn json_and_yaml_files_of_the_same_content_give_the_same_lookups() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), r#"{"f1": 42, "f2": 13.5, "up": true, "who": "ops", "gone": null}"#).unwrap();
        std::fs::write(dir.path().join("a.yml"), "f1: 42\nf2: 13.5\nup: yes\nwho: ops\ngone: ~\n").unwrap();
        std::fs::write(dir.path().join("a.yaml"), "---\n\"f1\": 42.0\nf2: 1.35e1\nup: true\nwho: 'ops'\ngone:\n").unwrap();
        let source = SideloadSource::load(&format!("file://{}", dir.path().display())).unwrap();
        for key in ["f1", "f2", "up", "who", "gone", "missing"] {
            let json = source.lookup(&["a.json".to_owned()], key);
            assert_eq!(source.lookup(&["a.yml".to_owned()], key), json, "{key} in a.yml");
            assert_eq!(source.lookup(&["a.yaml".to_owned()], key), json, "{key} in a.yaml");
        }
        assert_eq!(source.lookup(&["a.yml".to_owned()], "f1"), Some(&SideValue::Float(42.0)));
    }

    #[test]
    fn bad_sources_say_why() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("good.json"), "{}").unwrap();
        std::fs::write(dir.path().join("a.yml"), "k: 1\nj: [\n").unwrap();
        let yaml = SideloadSource::load(&format!("file://{}", dir.path().display())).unwrap_err();
        let named = format!("sideload file {}: line 3: ", dir.path().join("a.yml").display());
        assert!(yaml.starts_with(&named), "{yaml}");
        std::fs::write(dir.path().join("a.yml"), "k: 1\n").unwrap();
        std::fs::write(dir.path().join("b.json"), "[1]").unwrap();
        let json = SideloadSource::load(&format!("file://{}", dir.path().display())).unwrap_err();
        assert!(json.contains("b.json is not a JSON object of values"), "{json}");
        insta::assert_snapshot!(SideloadSource::load("http://x/y").unwrap_err(), @r#"unsupported sideload source "http://x/y": it must be a file:// URL"#);
        insta::assert_snapshot!(SideloadSource::load("file://relative/dir").unwrap_err(), @r#"sideload source "file://relative/dir": the path must be absolute"#);
    }
}
