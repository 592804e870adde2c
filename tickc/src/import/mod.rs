//! Importing a running Kapacitor's tasks: read every task and template through its HTTP API
//! ([`client`]) and lay them out as files ([`layout`]): a script per task under `tasks/`, a
//! script per template under `templates/`, the vars of each task that has some under `vars/`
//! (Kapacitor's own format), and the manifest that builds them all into one program.

pub mod api;
pub mod client;

use std::path::PathBuf;

use api::{Task, Template};
use crate::manifest::{Manifest, ManifestTask};

/// The files an import writes, relative to its folder; the manifest among them.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub files: Vec<(PathBuf, String)>,
    pub manifest: Manifest,
}

/// The files for `tasks` and `templates`. A task made from a known template points at the
/// template's file; one whose template is gone keeps its own script.
pub fn layout(tasks: &[Task], templates: &[Template]) -> Layout {
    let mut files: Vec<(PathBuf, String)> = templates
        .iter()
        .map(|t| (template_path(&t.id), t.script.clone()))
        .collect();
    let mut manifest = Manifest::default();
    for task in tasks {
        let template = templates.iter().find(|t| !task.template_id.is_empty() && t.id == task.template_id);
        let (script, template) = match template {
            Some(t) => (None, Some(template_path(&t.id))),
            None => {
                let path = PathBuf::from("tasks").join(file_name(&task.id, "tick"));
                files.push((path.clone(), task.script.clone()));
                (Some(path), None)
            }
        };
        let vars = (!task.vars.is_empty()).then(|| {
            let path = PathBuf::from("vars").join(file_name(&task.id, "json"));
            let text = serde_json::to_string_pretty(&task.vars).unwrap_or_default();
            files.push((path.clone(), text + "\n"));
            path
        });
        manifest.tasks.push(ManifestTask {
            id: task.id.clone(),
            script,
            template,
            vars,
            kind: (!task.kind.is_empty()).then(|| task.kind.clone()),
            dbrps: task.dbrps.clone(),
            enabled: task.enabled(),
        });
    }
    Layout { files, manifest }
}

fn template_path(id: &str) -> PathBuf {
    PathBuf::from("templates").join(file_name(id, "tick"))
}

/// A file name for a Kapacitor id. Ids are letters, digits, `-`, `_` and `.`, so only an id of
/// dots alone could step out of its folder.
fn file_name(id: &str, extension: &str) -> String {
    if id.chars().all(|c| c == '.') {
        format!("_{}.{extension}", id.len())
    } else {
        format!("{id}.{extension}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Dbrp;
    use serde_json::json;

    fn task(id: &str, template: &str, vars: serde_json::Value, status: &str) -> Task {
        Task {
            id: id.into(),
            template_id: template.into(),
            kind: "stream".into(),
            dbrps: vec![Dbrp { db: "telegraf".into(), rp: "autogen".into() }],
            script: format!("// {id}\n"),
            vars: vars.as_object().cloned().unwrap_or_default(),
            status: status.into(),
        }
    }

    #[test]
    fn tasks_templates_and_vars_become_files_and_a_manifest() {
        let tasks = [
            task("cpu_alert", "", json!({}), "enabled"),
            task("cpu_mean_web", "cpu_mean_tmpl", json!({"crit": {"type": "float", "value": 60}}), "disabled"),
            task("orphan", "gone", json!({}), "enabled"),
        ];
        let templates = [Template { id: "cpu_mean_tmpl".into(), kind: "stream".into(), script: "var crit float\n".into() }];
        let layout = layout(&tasks, &templates);
        let names: Vec<String> = layout.files.iter().map(|(p, _)| p.display().to_string()).collect();
        assert_eq!(names, ["templates/cpu_mean_tmpl.tick", "tasks/cpu_alert.tick", "vars/cpu_mean_web.json", "tasks/orphan.tick"]);
        assert!(layout.files[2].1.contains("\"crit\""));
        insta::assert_snapshot!(layout.manifest.to_toml("imported"), @r#"
        # imported

        [[task]]
        id = "cpu_alert"
        script = "tasks/cpu_alert.tick"
        type = "stream"
        dbrps = [{ db = "telegraf", rp = "autogen" }]
        enabled = true

        [[task]]
        id = "cpu_mean_web"
        template = "templates/cpu_mean_tmpl.tick"
        vars = "vars/cpu_mean_web.json"
        type = "stream"
        dbrps = [{ db = "telegraf", rp = "autogen" }]
        enabled = false

        [[task]]
        id = "orphan"
        script = "tasks/orphan.tick"
        type = "stream"
        dbrps = [{ db = "telegraf", rp = "autogen" }]
        enabled = true
        "#);
    }

    #[test]
    fn ids_of_dots_stay_in_their_folder() {
        assert_eq!(file_name("..", "tick"), "_2.tick");
        assert_eq!(file_name("a.b", "tick"), "a.b.tick");
    }
}
