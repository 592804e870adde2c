//! A task as the API describes it (`GET /kapacitor/v1/tasks/ID`, and the entries of a task list,
//! which carry only the fields asked for).

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Link;

/// A task. List entries hold only `id`, `link` and the requested fields; the rest keep their
/// defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Task {
    pub link: Link,
    pub id: String,
    #[serde(rename = "template-id")]
    pub template_id: String,
    #[serde(rename = "type")]
    pub kind: TaskType,
    pub dbrps: Vec<Dbrp>,
    pub script: String,
    pub vars: BTreeMap<String, Var>,
    pub dot: String,
    pub status: TaskStatus,
    pub executing: bool,
    pub error: String,
    pub created: Option<Timestamp>,
    pub modified: Option<Timestamp>,
    #[serde(rename = "last-enabled")]
    pub last_enabled: Option<Timestamp>,
}

/// Where a task's data comes from. Kapacitor rejects any other word, and so does this client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskType {
    Stream,
    Batch,
    #[default]
    Invalid,
}

/// Whether a task runs on live data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    #[default]
    Disabled,
    Enabled,
}

/// A database and retention policy a task reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Dbrp {
    pub db: String,
    pub rp: String,
}

/// A template variable's value.
#[derive(Debug, Clone, Deserialize)]
pub struct Var {
    #[serde(rename = "type")]
    pub kind: VarType,
    #[serde(default)]
    pub value: serde_json::Value,
    #[serde(default)]
    pub description: String,
}

/// The type of a template variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VarType {
    Bool,
    Int,
    Float,
    String,
    Regex,
    Duration,
    Lambda,
    List,
    Star,
}

impl TaskType {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskType::Stream => "stream",
            TaskType::Batch => "batch",
            TaskType::Invalid => "invalid",
        }
    }
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Disabled => "disabled",
            TaskStatus::Enabled => "enabled",
        }
    }
}

impl VarType {
    pub fn as_str(self) -> &'static str {
        match self {
            VarType::Bool => "bool",
            VarType::Int => "int",
            VarType::Float => "float",
            VarType::String => "string",
            VarType::Regex => "regex",
            VarType::Duration => "duration",
            VarType::Lambda => "lambda",
            VarType::List => "list",
            VarType::Star => "star",
        }
    }
}

impl fmt::Display for TaskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Display for VarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_entry_keeps_defaults_for_fields_not_asked_for() {
        let task: Task = serde_json::from_str(
            r#"{"id":"cpu_alert","link":{"rel":"self","href":"/kapacitor/v1/tasks/cpu_alert"}}"#,
        )
        .unwrap();
        assert_eq!(task.link.href, "/kapacitor/v1/tasks/cpu_alert");
        assert_eq!(task.status, TaskStatus::Disabled);
        assert!(task.created.is_none());
    }

    #[test]
    fn an_unknown_type_is_rejected_as_kapacitor_rejects_it() {
        let err = serde_json::from_str::<Task>(r#"{"id":"t","type":""}"#).unwrap_err();
        assert!(err.to_string().contains("unknown variant"), "{err}");
    }

    #[test]
    fn the_zero_time_of_a_never_enabled_task_decodes() {
        let task: Task =
            serde_json::from_str(r#"{"id":"t","last-enabled":"0001-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(
            task.last_enabled.map(|t| t.to_string()).as_deref(),
            Some("0001-01-01T00:00:00Z")
        );
    }
}
