//! `/kapacitor/v1/tasks`: the program's tasks in Kapacitor's JSON shapes, so the `kapacitor`
//! CLI can list, show, enable and disable them.
//!
//! A single task is written in Kapacitor's field order; list entries are maps, so their keys
//! come out sorted, as Kapacitor's do. The tasks are compiled into the program: a PATCH may
//! change only their status.

use http_body_util::{BodyExt, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::dot;
use super::live::{LiveTask, TaskSnapshot};
use super::query::Query;
use super::response::{Body, error, json as json_response};
use super::server::State;
use crate::point::Time;
use crate::task::Dbrp;
use crate::time::format_rfc3339_nano;

const TASKS_PATH: &str = "/kapacitor/v1/tasks";
/// How Go's zero `time.Time` prints: a never-enabled task's `last-enabled`.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";
/// The largest PATCH body read; a status change is a few bytes.
const MAX_PATCH_BYTES: usize = 1 << 20;
/// Kapacitor's page size when `limit` is absent.
const DEFAULT_LIMIT: usize = 100;

#[derive(Serialize)]
struct Link {
    rel: &'static str,
    href: String,
}

#[derive(Serialize, Deserialize, PartialEq)]
struct DbrpJson {
    db: String,
    rp: String,
}

impl From<&Dbrp> for DbrpJson {
    fn from(dbrp: &Dbrp) -> Self {
        DbrpJson {
            db: dbrp.database.to_owned(),
            rp: dbrp.retention_policy.to_owned(),
        }
    }
}

/// A task as Kapacitor's API shows it, fields in its order.
#[derive(Serialize)]
struct TaskJson {
    link: Link,
    id: &'static str,
    #[serde(rename = "template-id")]
    template_id: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    dbrps: Vec<DbrpJson>,
    script: &'static str,
    vars: Map<String, Value>,
    dot: String,
    status: &'static str,
    executing: bool,
    error: String,
    stats: Value,
    created: String,
    modified: String,
    #[serde(rename = "last-enabled")]
    last_enabled: String,
}

impl From<TaskSnapshot> for TaskJson {
    fn from(task: TaskSnapshot) -> Self {
        let d = task.descriptor;
        let (dot, stats) = match &task.execution {
            Some(execution) => {
                let node_stats: Map<String, Value> = execution
                    .stats
                    .iter()
                    .map(|s| (s.name.clone(), json!({"collected": s.collected, "emitted": s.emitted, "errors": s.errors})))
                    .collect();
                (
                    dot::with_counts(
                        d.id,
                        d.nodes,
                        d.edges,
                        &execution.stats,
                        execution.throughput,
                    ),
                    json!({"task-stats": {"throughput": execution.throughput}, "node-stats": node_stats}),
                )
            }
            None => (dot::plain(d.id, d.nodes, d.edges), json!({})),
        };
        TaskJson {
            link: Link {
                rel: "self",
                href: format!("{TASKS_PATH}/{}", d.id),
            },
            id: d.id,
            template_id: "",
            kind: d.kind.as_str(),
            dbrps: d.dbrps.iter().map(DbrpJson::from).collect(),
            script: d.script,
            vars: Map::new(),
            dot,
            status: if task.enabled { "enabled" } else { "disabled" },
            executing: task.execution.is_some(),
            error: task.error,
            stats,
            created: format_rfc3339_nano(task.created),
            modified: format_rfc3339_nano(task.modified),
            last_enabled: task
                .last_enabled
                .map_or_else(|| ZERO_TIME.to_owned(), format_rfc3339_nano),
        }
    }
}

/// `GET /kapacitor/v1/tasks?pattern=&fields=&offset=&limit=`.
pub(crate) fn list(query: &Query, state: &State) -> Response<Body> {
    let (offset, limit) = match (
        number(query, "offset", 0),
        number(query, "limit", DEFAULT_LIMIT),
    ) {
        (Ok(offset), Ok(limit)) => (offset, limit),
        (Err(message), _) | (_, Err(message)) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let pattern = query.first("pattern").unwrap_or_default();
    let fields: Vec<&str> = query.all("fields").collect();
    let mut tasks: Vec<&LiveTask> = state
        .tasks
        .iter()
        .filter(|t| glob_matches(pattern, t.descriptor().id))
        .collect();
    tasks.sort_by_key(|t| t.descriptor().id);
    let entries: Vec<Value> = tasks
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|task| {
            let mut entry = match serde_json::to_value(TaskJson::from(task.snapshot())) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            };
            if !fields.is_empty() {
                entry.retain(|key, _| {
                    key == "id" || key == "link" || fields.contains(&key.as_str())
                });
            }
            Value::Object(entry)
        })
        .collect();
    json_response(StatusCode::OK, &json!({ "tasks": entries }))
}

/// `GET /kapacitor/v1/tasks/ID`.
pub(crate) fn show(id: &str, state: &State) -> Response<Body> {
    match state.tasks.get(id) {
        Some(task) => json_response(StatusCode::OK, &TaskJson::from(task.snapshot())),
        None => error(StatusCode::NOT_FOUND, "no task exists"),
    }
}

/// What a PATCH may carry; only `status` can differ from the task as compiled.
#[derive(Deserialize)]
struct TaskPatch {
    status: Option<String>,
    script: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    dbrps: Option<Vec<DbrpJson>>,
    vars: Option<Map<String, Value>>,
}

/// `PATCH /kapacitor/v1/tasks/ID` with `{"status": "enabled"}` or `{"status": "disabled"}`.
pub(crate) async fn patch(
    id: &str,
    request: Request<Incoming>,
    state: &State,
    now: Time,
) -> Response<Body> {
    let Some(task) = state.tasks.get(id) else {
        return error(StatusCode::NOT_FOUND, "task does not exist, cannot update");
    };
    let body: Bytes = match Limited::new(request.into_body(), MAX_PATCH_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("reading the body: {e}")),
    };
    let patch: TaskPatch = match serde_json::from_slice(&body) {
        Ok(patch) => patch,
        Err(_) => return error(StatusCode::BAD_REQUEST, "invalid JSON"),
    };
    if let Some(unchangeable) = unchangeable_field(&patch, task) {
        let message = format!(
            "cannot change the {unchangeable} of task {id}: it is compiled into this program (rebuild it with tickc)"
        );
        return error(StatusCode::BAD_REQUEST, &message);
    }
    let enabled = match patch.status.as_deref() {
        Some("enabled") => Some(true),
        Some("disabled") => Some(false),
        Some(other) => {
            let message = format!("invalid status {other:?}: expected \"enabled\" or \"disabled\"");
            return error(StatusCode::BAD_REQUEST, &message);
        }
        None => None,
    };
    if let Some(enabled) = enabled {
        task.set_enabled(enabled, now).await;
    }
    json_response(StatusCode::OK, &TaskJson::from(task.snapshot()))
}

/// The first field of `patch` that asks for something other than what the task is.
fn unchangeable_field(patch: &TaskPatch, task: &LiveTask) -> Option<&'static str> {
    let d = task.descriptor();
    if patch.script.as_deref().is_some_and(|s| s != d.script) {
        return Some("script");
    }
    if patch.kind.as_deref().is_some_and(|k| k != d.kind.as_str()) {
        return Some("type");
    }
    let dbrps: Vec<DbrpJson> = d.dbrps.iter().map(DbrpJson::from).collect();
    if patch.dbrps.as_ref().is_some_and(|wanted| *wanted != dbrps) {
        return Some("dbrps");
    }
    if patch.vars.as_ref().is_some_and(|vars| !vars.is_empty()) {
        return Some("vars");
    }
    None
}

fn number(query: &Query, name: &str, default: usize) -> Result<usize, String> {
    match query.first(name) {
        None | Some("") => Ok(default),
        Some(value) => value
            .parse()
            .map_err(|_| format!("invalid {name} {value:?}: expected a whole number")),
    }
}

/// Whether `id` matches a task pattern: `*` any run of characters, `?` any one, `\` quotes the
/// next; an empty pattern matches everything (Kapacitor's CLI sends `pattern=` for "all").
fn glob_matches(pattern: &str, id: &str) -> bool {
    if pattern.is_empty() {
        return true;
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let id: Vec<char> = id.chars().collect();
    // Classic wildcard matching with one backtrack point: the last `*` seen.
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < id.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, i));
                p += 1;
                continue;
            }
            Some('?') => {
                p += 1;
                i += 1;
                continue;
            }
            Some('\\') if pattern.get(p + 1) == id.get(i) && p + 1 < pattern.len() => {
                p += 2;
                i += 1;
                continue;
            }
            Some(c) if *c != '\\' && Some(c) == id.get(i) => {
                p += 1;
                i += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((star_p, star_i)) => {
                p = star_p + 1;
                i = star_i + 1;
                star = Some((star_p, star_i + 1));
            }
            None => return false,
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_kapacitors_patterns() {
        for (pattern, id, expected) in [
            ("", "cpu_alert", true),
            ("cpu_alert", "cpu_alert", true),
            ("cpu_alert", "cpu_alert2", false),
            ("cpu*", "cpu_alert", true),
            ("cpu*", "mem", false),
            ("*alert", "cpu_alert", true),
            ("*a*e*", "cpu_alert", true),
            ("c?u_alert", "cpu_alert", true),
            ("c?u", "cpu_alert", false),
            ("**", "x", true),
            ("a\\*", "a*", true),
            ("a\\*", "ab", false),
            ("*", "", true),
            ("?", "", false),
        ] {
            assert_eq!(glob_matches(pattern, id), expected, "{pattern:?} vs {id:?}");
        }
    }
}
