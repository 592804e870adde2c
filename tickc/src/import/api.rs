//! The shapes of Kapacitor's HTTP API that an import reads: tasks and templates
//! (`/kapacitor/v1/tasks`, `/kapacitor/v1/templates`), with only the fields it uses.

use serde::Deserialize;
use serde_json::{Map, Value as Json};

use crate::manifest::Dbrp;

/// A task, as `GET /kapacitor/v1/tasks/ID` answers (the list leaves out `template-id`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Task {
    pub id: String,
    #[serde(rename = "template-id", default)]
    pub template_id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub dbrps: Vec<Dbrp>,
    #[serde(default)]
    pub script: String,
    /// In Kapacitor's vars format, which is also the vars file's.
    #[serde(default)]
    pub vars: Map<String, Json>,
    /// `enabled` or `disabled`.
    #[serde(default)]
    pub status: String,
}

impl Task {
    pub fn enabled(&self) -> bool {
        self.status == "enabled"
    }
}

/// A template, as `GET /kapacitor/v1/templates` lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Template {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub script: String,
}

/// Any entry of a list: its id is all a page needs to be walked.
#[derive(Debug, Clone, Deserialize)]
pub struct Listed {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TaskList {
    pub tasks: Vec<Listed>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TemplateList {
    pub templates: Vec<Template>,
}
