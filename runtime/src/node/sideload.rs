//! `|sideload()`: sets fields and tags of each point from files, as Kapacitor does: the
//! `.order()` paths are Go templates over the point's tags (`hosts/{{.host}}.json`), and each
//! `.field()`/`.tag()` key takes its value from the first of those files that has it, converted
//! to the type of its default, or the default when no file has it (or it does not convert).

mod source;
mod yaml;

pub use source::{SideValue, SideloadSource};

use super::Node;
use super::group::group_key;
use crate::point::{FieldValue, Fields, Message, Tags};
use crate::template::{Template, Value};

/// What a script sets on `|sideload()`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SideloadConfig {
    /// `.source('file:///...')`.
    pub source: String,
    /// `.order(...)` templates.
    pub order: Vec<String>,
    /// `.field(name, default)` calls.
    pub fields: Vec<(String, FieldValue)>,
    /// `.tag(name, default)` calls.
    pub tags: Vec<(String, String)>,
}

/// `|sideload()`.
#[derive(Debug)]
pub struct SideloadNode {
    source: SideloadSource,
    order: Vec<Template>,
    fields: Vec<(String, FieldValue)>,
    tags: Vec<(String, String)>,
    /// The order rendered for the current point (kept to reuse its allocation).
    paths: Vec<String>,
    errors: u64,
}

impl SideloadNode {
    /// Reads the source's files and parses the order templates; either failing means the
    /// task cannot start, as in Kapacitor.
    pub fn start(config: SideloadConfig) -> Result<SideloadNode, String> {
        let source = SideloadSource::load(&config.source)?;
        let order = config
            .order
            .iter()
            .map(|o| Template::parse(o).map_err(|e| format!("order {o:?}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SideloadNode {
            source,
            order,
            fields: config.fields,
            tags: config.tags,
            paths: Vec::new(),
            errors: 0,
        })
    }

    /// Sets the loaded fields and tags of one point; a template that fails leaves it as it
    /// is, and counts an error.
    fn sideload(&mut self, fields: &mut Fields, tags: &mut Tags) {
        let data = Value::from_tags(tags);
        self.paths.clear();
        for template in &self.order {
            match template.render(&data) {
                Ok(path) => self.paths.push(path),
                Err(_) => {
                    self.errors += 1;
                    return;
                }
            }
        }
        // The value of `key` as the type of `default`; the default when no file has it, or
        // when it does not convert (an error).
        let mut load = |key: &str, default: &FieldValue| match self.source.lookup(&self.paths, key) {
            None => default.clone(),
            Some(found) => convert(found, default).unwrap_or_else(|| {
                self.errors += 1;
                default.clone()
            }),
        };
        for (key, default) in &self.fields {
            fields.insert(key.clone(), load(key, default));
        }
        for (key, default) in &self.tags {
            if let FieldValue::String(value) = load(key, &FieldValue::String(default.clone())) {
                tags.insert(key.clone(), value);
            }
        }
    }
}

/// A file's value as the type of `default` (Kapacitor's conversions), or `None`.
fn convert(value: &SideValue, default: &FieldValue) -> Option<FieldValue> {
    match (default, value) {
        (FieldValue::Int(_), SideValue::Float(f)) => {
            let i = *f as i64;
            (i as f64 == *f).then_some(FieldValue::Int(i))
        }
        (FieldValue::Int(_), SideValue::String(s)) => s.parse().ok().map(FieldValue::Int),
        (FieldValue::Float(_), SideValue::Float(f)) => Some(FieldValue::Float(*f)),
        (FieldValue::Float(_), SideValue::String(s)) => s.parse().ok().map(FieldValue::Float),
        (FieldValue::Bool(_), SideValue::Bool(b)) => Some(FieldValue::Bool(*b)),
        (FieldValue::Bool(_), SideValue::String(s)) => go_bool(s).map(FieldValue::Bool),
        (FieldValue::String(_), SideValue::Float(f)) => Some(FieldValue::String(f.to_string())),
        (FieldValue::String(_), SideValue::Bool(b)) => Some(FieldValue::String(b.to_string())),
        (FieldValue::String(_), SideValue::String(s)) => Some(FieldValue::String(s.clone())),
        _ => None,
    }
}

/// Go's `strconv.ParseBool`.
fn go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

impl Node for SideloadNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        match msg {
            Message::Point(mut p) => {
                self.sideload(&mut p.fields, &mut p.tags);
                // A loaded tag may be one the point is grouped by.
                p.group = group_key(&p.name, &p.tags, &p.dimensions);
                out.push(Message::Point(p));
            }
            Message::Batch(mut b) => {
                for p in &mut b.points {
                    self.sideload(&mut p.fields, &mut p.tags);
                }
                out.push(Message::Batch(b));
            }
            control @ (Message::Barrier { .. } | Message::DeleteGroup { .. }) => out.push(control),
        }
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{batch, batch_point, point, points, run};

    fn node(dir: &std::path::Path) -> SideloadNode {
        SideloadNode::start(SideloadConfig {
            source: format!("file://{}", dir.display()),
            order: vec!["hosts/{{.host}}.json".into(), "default.json".into()],
            fields: vec![
                ("threshold".into(), FieldValue::Int(50)),
                ("ratio".into(), FieldValue::Float(0.5)),
                ("paging".into(), FieldValue::Bool(false)),
            ],
            tags: vec![("owner".into(), "nobody".into())],
        })
        .unwrap()
    }

    fn files() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("hosts")).unwrap();
        std::fs::write(dir.path().join("hosts/a.json"), r#"{"threshold": 80, "owner": 7, "paging": "T"}"#).unwrap();
        std::fs::write(dir.path().join("hosts/b.json"), r#"{"threshold": 80.5, "ratio": "0.25"}"#).unwrap();
        std::fs::write(dir.path().join("default.json"), r#"{"owner": "ops"}"#).unwrap();
        dir
    }

    fn describe(fields: &Fields, tags: &Tags) -> String {
        format!("{tags:?} {fields:?}")
    }

    #[test]
    fn fields_and_tags_come_from_the_first_file_that_has_them() {
        let dir = files();
        let mut sideload = node(dir.path());
        let out = run(
            &mut sideload,
            [
                point("cpu", &[("host", "a")], &[("v", 1.0)], 1),
                point("cpu", &[("host", "b")], &[("v", 2.0)], 2),
                point("cpu", &[("host", "c")], &[("v", 3.0)], 3),
            ],
        );
        let seen: Vec<String> = points(out).iter().map(|p| describe(&p.fields, &p.tags)).collect();
        insta::assert_snapshot!(seen.join("\n"), @r#"
{"host": "a", "owner": "7"} {"paging": Bool(true), "ratio": Float(0.5), "threshold": Int(80), "v": Float(1.0)}
{"host": "b", "owner": "ops"} {"paging": Bool(false), "ratio": Float(0.25), "threshold": Int(50), "v": Float(2.0)}
{"host": "c", "owner": "ops"} {"paging": Bool(false), "ratio": Float(0.5), "threshold": Int(50), "v": Float(3.0)}
"#);
        // b's 80.5 is no integer: the default, and an error.
        assert_eq!(sideload.errors(), 1);
    }

    #[test]
    fn every_point_of_a_batch_is_sideloaded_by_its_own_tags() {
        let dir = files();
        let mut sideload = node(dir.path());
        let out = run(
            &mut sideload,
            [batch("cpu", &[], vec![batch_point(&[("host", "a")], &[], 1), batch_point(&[("host", "c")], &[], 2)])],
        );
        let [Message::Batch(b)] = out.as_slice() else { panic!("{out:?}") };
        let seen: Vec<String> = b.points.iter().map(|p| describe(&p.fields, &p.tags)).collect();
        insta::assert_snapshot!(seen.join("\n"), @r#"
{"host": "a", "owner": "7"} {"paging": Bool(true), "ratio": Float(0.5), "threshold": Int(80)}
{"host": "c", "owner": "ops"} {"paging": Bool(false), "ratio": Float(0.5), "threshold": Int(50)}
"#);
    }

    #[test]
    fn conversions_follow_kapacitor() {
        let int = FieldValue::Int(0);
        assert_eq!(convert(&SideValue::Float(3.0), &int), Some(FieldValue::Int(3)));
        assert_eq!(convert(&SideValue::String("-4".into()), &int), Some(FieldValue::Int(-4)));
        assert_eq!(convert(&SideValue::Bool(true), &int), None);
        let text = FieldValue::String(String::new());
        assert_eq!(convert(&SideValue::Float(2.5), &text), Some(FieldValue::String("2.5".into())));
        assert_eq!(convert(&SideValue::Float(1e21), &text), Some(FieldValue::String("1000000000000000000000".into())));
        assert_eq!(convert(&SideValue::Nested, &text), None);
        assert_eq!(convert(&SideValue::String("F".into()), &FieldValue::Bool(true)), Some(FieldValue::Bool(false)));
    }
}
