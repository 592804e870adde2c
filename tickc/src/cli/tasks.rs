//! The tasks a command was given: scripts (each a task named after its file), one template
//! with `--vars` files (a task per vars file, named after it), or manifests (`tickc.toml`).

use std::path::PathBuf;

use crate::check::CheckOptions;
use crate::ir;
use crate::manifest::{is_manifest, Manifest, TaskSpec};
use crate::span::Span;
use crate::vars::{self, VarsError};

/// The tasks named by `inputs` (scripts and manifests) and `vars` files, or why they cannot
/// be built.
pub fn task_specs(inputs: &[PathBuf], vars: &[PathBuf]) -> Result<Vec<TaskSpec>, String> {
    if !vars.is_empty() {
        return match inputs {
            [template] if !is_manifest(template) => {
                Ok(vars.iter().map(|v| TaskSpec::templated(template, v)).collect())
            }
            _ => Err("--vars goes with exactly one script, the template its tasks are made from".into()),
        };
    }
    let mut specs = Vec::new();
    for input in inputs {
        if is_manifest(input) {
            specs.extend(Manifest::load(input).map_err(|e| e.to_string())?);
        } else {
            specs.push(TaskSpec::script(input));
        }
    }
    if let Some(twice) = specs.iter().enumerate().find_map(|(i, s)| specs[..i].iter().any(|o| o.id == s.id).then_some(&s.id)) {
        return Err(format!("two tasks have the id {twice:?}"));
    }
    Ok(specs)
}

/// What the checker is told about `spec` from outside its script: its vars (read now) and its
/// databases.
pub fn check_options(spec: &TaskSpec) -> Result<CheckOptions, VarsError> {
    let (vars, vars_file) = match &spec.vars {
        Some(path) => {
            let file = vars::load(path)?;
            (file.vars, Some(file.name))
        }
        None => Default::default(),
    };
    let dbrps = spec
        .dbrps
        .iter()
        .map(|d| ir::Dbrp { database: d.db.clone(), retention_policy: d.rp.clone(), span: Span::default() })
        .collect();
    Ok(CheckOptions { vars, vars_file, dbrps })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_with_vars_files_makes_a_task_per_file() {
        let specs = task_specs(&["t.tick".into()], &["web.json".into(), "db.toml".into()]).unwrap();
        let ids: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["web", "db"]);
        assert!(task_specs(&["a.tick".into(), "b.tick".into()], &["web.json".into()]).is_err());
        assert!(task_specs(&["a.tick".into(), "x/a.tick".into()], &[]).unwrap_err().contains("\"a\""));
    }
}
