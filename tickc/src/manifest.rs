//! The manifest of a set of tasks (`tickc.toml`): per task its id, its script (or template and
//! vars file), databases, type and status, as Kapacitor keeps them. `tickc import` writes one;
//! `tickc build`, `check` and `run` accept it in place of scripts and build the whole set into
//! one program.
//!
//! ```toml
//! [[task]]
//! id = "cpu_mean_web"
//! template = "templates/cpu_mean_tmpl.tick"
//! vars = "vars/cpu_mean_web.json"
//! type = "stream"
//! dbrps = [{ db = "telegraf", rp = "autogen" }]
//! enabled = false
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalogue::Edge;

/// The conventional name of a manifest.
pub const FILE_NAME: &str = "tickc.toml";

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(rename = "task", default)]
    pub tasks: Vec<ManifestTask>,
}

/// One task as the manifest writes it; paths are relative to the manifest's folder.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestTask {
    pub id: String,
    /// The task's own script (exclusive with `template`).
    #[serde(default)]
    pub script: Option<PathBuf>,
    /// The template the task is made from (exclusive with `script`).
    #[serde(default)]
    pub template: Option<PathBuf>,
    /// The task's vars, in Kapacitor's format (JSON, or TOML for a `.toml` file).
    #[serde(default)]
    pub vars: Option<PathBuf>,
    /// `stream` or `batch`; when given, the script must be of that type.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The databases the task reads, when its script names none.
    #[serde(default)]
    pub dbrps: Vec<Dbrp>,
    /// Whether a serving program starts the task (a disabled one can be enabled through the API).
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// A database and retention policy, in the API's shape.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dbrp {
    pub db: String,
    pub rp: String,
}

/// One task to build, wherever it was named (a manifest, or scripts and vars files on the
/// command line), with its paths resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSpec {
    pub id: String,
    pub script: PathBuf,
    pub vars: Option<PathBuf>,
    pub kind: Option<Edge>,
    pub dbrps: Vec<Dbrp>,
    pub enabled: bool,
}

impl TaskSpec {
    /// A script given on its own: named after its file, enabled.
    pub fn script(path: &Path) -> TaskSpec {
        TaskSpec {
            id: stem(path),
            script: path.to_path_buf(),
            vars: None,
            kind: None,
            dbrps: Vec::new(),
            enabled: true,
        }
    }

    /// A template with one vars file: named after the vars file, enabled.
    pub fn templated(template: &Path, vars: &Path) -> TaskSpec {
        TaskSpec {
            id: stem(vars),
            vars: Some(vars.to_path_buf()),
            ..TaskSpec::script(template)
        }
    }
}

/// A file's name without its extension (a task id).
pub fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "task".into())
}

/// Why a manifest cannot be used.
#[derive(Debug)]
pub struct ManifestError {
    pub file: String,
    pub reason: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.reason)
    }
}

impl std::error::Error for ManifestError {}

impl Manifest {
    /// Reads the manifest at `path` and resolves its tasks against its folder.
    pub fn load(path: &Path) -> Result<Vec<TaskSpec>, ManifestError> {
        let error = |reason: String| ManifestError { file: path.display().to_string(), reason };
        let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read it: {e}")))?;
        let manifest = Manifest::parse(&text).map_err(error)?;
        let base = path.parent().unwrap_or(Path::new(""));
        manifest.resolve(base).map_err(error)
    }

    pub fn parse(text: &str) -> Result<Manifest, String> {
        toml::from_str(text).map_err(|e| e.message().to_owned())
    }

    /// The manifest as TOML, a header comment first; each task's dbrps on one line.
    pub fn to_toml(&self, header: &str) -> String {
        let mut out: String = header.lines().map(|l| format!("# {l}\n")).collect();
        for task in &self.tasks {
            out += &format!("\n[[task]]\nid = {}\n", quoted(&task.id));
            let paths = [("script", &task.script), ("template", &task.template), ("vars", &task.vars)];
            for (key, path) in paths {
                if let Some(path) = path {
                    out += &format!("{key} = {}\n", quoted(&path.to_string_lossy()));
                }
            }
            if let Some(kind) = &task.kind {
                out += &format!("type = {}\n", quoted(kind));
            }
            if !task.dbrps.is_empty() {
                let dbrps: Vec<String> =
                    task.dbrps.iter().map(|d| format!("{{ db = {}, rp = {} }}", quoted(&d.db), quoted(&d.rp))).collect();
                out += &format!("dbrps = [{}]\n", dbrps.join(", "));
            }
            out += &format!("enabled = {}\n", task.enabled);
        }
        out
    }

    /// The tasks with their paths made relative to `base`; every task is checked for a script,
    /// a known type and a unique id.
    pub fn resolve(&self, base: &Path) -> Result<Vec<TaskSpec>, String> {
        let mut specs: Vec<TaskSpec> = Vec::with_capacity(self.tasks.len());
        for task in &self.tasks {
            let what = format!("task {:?}", task.id);
            let script = match (&task.script, &task.template) {
                (Some(script), None) | (None, Some(script)) => base.join(script),
                _ => return Err(format!("{what} needs either a `script` or a `template`")),
            };
            let kind = match task.kind.as_deref() {
                None => None,
                Some("stream") => Some(Edge::Stream),
                Some("batch") => Some(Edge::Batch),
                Some(other) => return Err(format!("{what} has type {other:?}; types are \"stream\" and \"batch\"")),
            };
            if specs.iter().any(|s| s.id == task.id) {
                return Err(format!("{what} is listed twice"));
            }
            specs.push(TaskSpec {
                id: task.id.clone(),
                script,
                vars: task.vars.as_ref().map(|v| base.join(v)),
                kind,
                dbrps: task.dbrps.clone(),
                enabled: task.enabled,
            });
        }
        Ok(specs)
    }
}

/// `text` as a TOML string, quoted and escaped.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// Whether `path` names a manifest rather than a script.
pub fn is_manifest(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[[task]]
id = "cpu_alert"
script = "tasks/cpu_alert.tick"
type = "stream"
dbrps = [{ db = "telegraf", rp = "autogen" }]

[[task]]
id = "cpu_mean_web"
template = "templates/cpu_mean_tmpl.tick"
vars = "vars/cpu_mean_web.json"
enabled = false
"#;

    #[test]
    fn tasks_resolve_against_the_manifest_folder() {
        let specs = Manifest::parse(TEXT).unwrap().resolve(Path::new("imported")).unwrap();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].script, Path::new("imported/tasks/cpu_alert.tick"));
        assert_eq!((specs[0].kind, specs[0].enabled), (Some(Edge::Stream), true));
        assert_eq!(specs[0].dbrps, vec![Dbrp { db: "telegraf".into(), rp: "autogen".into() }]);
        assert_eq!(specs[1].script, Path::new("imported/templates/cpu_mean_tmpl.tick"));
        assert_eq!(specs[1].vars.as_deref(), Some(Path::new("imported/vars/cpu_mean_web.json")));
        assert!(!specs[1].enabled);
    }

    #[test]
    fn written_manifests_read_back() {
        let mut manifest = Manifest::parse(TEXT).unwrap();
        manifest.tasks[0].id = "needs \"quotes\"".into();
        let text = manifest.to_toml("imported from http://k:9092");
        assert!(text.starts_with("# imported from http://k:9092\n"), "{text}");
        assert_eq!(Manifest::parse(&text).unwrap(), manifest);
    }

    #[test]
    fn bad_manifests_say_why() {
        let problems: Vec<String> = [
            "[[task]]\nid = \"a\"\n",
            "[[task]]\nid = \"a\"\nscript = \"a.tick\"\ntemplate = \"t.tick\"\n",
            "[[task]]\nid = \"a\"\nscript = \"a.tick\"\ntype = \"streaming\"\n",
            "[[task]]\nid = \"a\"\nscript = \"a.tick\"\n[[task]]\nid = \"a\"\nscript = \"b.tick\"\n",
            "[[task]]\nid = \"a\"\nscrpt = \"a.tick\"\n",
        ]
        .iter()
        .map(|text| match Manifest::parse(text) {
            Ok(m) => m.resolve(Path::new("")).unwrap_err(),
            Err(e) => e,
        })
        .collect();
        insta::assert_snapshot!(problems.join("\n"), @r#"
        task "a" needs either a `script` or a `template`
        task "a" needs either a `script` or a `template`
        task "a" has type "streaming"; types are "stream" and "batch"
        task "a" is listed twice
        unknown field `scrpt`, expected one of `id`, `script`, `template`, `vars`, `type`, `dbrps`, `enabled`
        "#);
    }

    #[test]
    fn specs_from_the_command_line() {
        let plain = TaskSpec::script(Path::new("dir/cpu_alert.tick"));
        assert_eq!((plain.id.as_str(), plain.enabled), ("cpu_alert", true));
        let templated = TaskSpec::templated(Path::new("t.tick"), Path::new("vars/web.json"));
        assert_eq!(templated.id, "web");
        assert_eq!(templated.vars.as_deref(), Some(Path::new("vars/web.json")));
        assert!(is_manifest(Path::new("x/tickc.toml")) && !is_manifest(Path::new("x.tick")));
    }
}
