//! What a test run of a task produced, read from the JSON lines the program's `test` command
//! writes: the task's nodes, its alert events and what the chosen nodes emitted.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TaskInfo {
    pub id: String,
    pub kind: String,
    pub nodes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AlertEvent {
    pub node: String,
    pub id: String,
    pub message: String,
    pub details: String,
    pub time: i64,
    pub duration: i64,
    pub level: String,
    pub previous_level: String,
    pub tags: BTreeMap<String, String>,
    pub fields: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Emission {
    pub node: String,
    pub message: Message,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    Point(Point),
    Batch(Batch),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Point {
    pub name: String,
    pub time: i64,
    pub tags: BTreeMap<String, String>,
    pub fields: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Batch {
    pub name: String,
    pub time: i64,
    pub tags: BTreeMap<String, String>,
    pub points: Vec<BatchPoint>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BatchPoint {
    pub time: i64,
    pub tags: BTreeMap<String, String>,
    pub fields: BTreeMap<String, Value>,
}

/// The program refused input number `input`; `offset` is a byte in a line-protocol text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InputError {
    pub input: usize,
    pub message: String,
    pub offset: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Task(TaskInfo),
    Alert(AlertEvent),
    Emitted(Emission),
    Error(InputError),
}

/// Everything one run reported, in the order it happened.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    pub task: Option<TaskInfo>,
    pub alerts: Vec<AlertEvent>,
    pub emitted: Vec<Emission>,
    pub error: Option<InputError>,
}

impl Outcome {
    /// Reads the program's standard output.
    pub fn parse(text: &str) -> Result<Outcome, String> {
        let mut outcome = Outcome::default();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let parsed: Line = serde_json::from_str(line)
                .map_err(|e| format!("the task program wrote an unexpected line {}: {e}: {line}", n + 1))?;
            match parsed {
                Line::Task(task) => outcome.task = Some(task),
                Line::Alert(alert) => outcome.alerts.push(alert),
                Line::Emitted(emission) => outcome.emitted.push(emission),
                Line::Error(error) => outcome.error = Some(error),
            }
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_line() {
        let text = concat!(
            r#"{"task":{"id":"t","kind":"stream","nodes":["stream0","alert1"]}}"#,
            "\n",
            r#"{"emitted":{"node":"stream0","message":{"point":{"name":"m","time":1,"tags":{},"fields":{"v":1.0}}}}}"#,
            "\n",
            r#"{"alert":{"node":"alert1","id":"m:nil","message":"m","details":"","time":1,"duration":0,"level":"CRITICAL","previous_level":"OK","tags":{},"fields":{"v":1.0}}}"#,
            "\n",
            r#"{"error":{"input":3,"message":"bad","offset":null}}"#,
            "\n",
        );
        let outcome = Outcome::parse(text).unwrap();
        assert_eq!(outcome.task.unwrap().nodes, ["stream0", "alert1"]);
        assert_eq!(outcome.alerts[0].level, "CRITICAL");
        assert!(matches!(&outcome.emitted[0].message, Message::Point(p) if p.fields["v"] == 1.0));
        assert_eq!(outcome.error.unwrap().input, 3);
        assert!(Outcome::parse("{\"nonsense\":1}").is_err());
    }
}
