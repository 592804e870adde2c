//! `/kapacitor/v1/tasks`: the program's tasks in Kapacitor's JSON shapes, so the `kapacitor`
//! CLI can list, show, enable and disable them.
//!
//! A single task is written in Kapacitor's field order; list entries are maps, so their keys
//! come out sorted, as Kapacitor's do. The tasks are compiled into the program: a PATCH may
//! change only their status.

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::dot;
use super::json_body::read_json;
use super::listing::Listing;
use super::live::{LiveTask, TaskSnapshot};
use super::query::Query;
use super::response::{Body, JSON, error, json as json_response, text};
use super::server::State;
use crate::point::Time;
use crate::task::{Dbrp, NodeStats};
use crate::time::format_rfc3339_nano;

const TASKS_PATH: &str = "/kapacitor/v1/tasks";
/// How Go's zero `time.Time` prints: a never-enabled task's `last-enabled`.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// Kapacitor's `link` to a resource.
#[derive(Serialize)]
pub(crate) struct Link {
    rel: &'static str,
    href: String,
}

impl Link {
    /// The link to the resource `id` under `base`.
    pub(crate) fn to(base: &str, id: &str) -> Link {
        Link {
            rel: "self",
            href: format!("{base}/{id}"),
        }
    }
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
                (
                    dot::with_counts(
                        d.id,
                        d.nodes,
                        d.edges,
                        &execution.stats,
                        execution.throughput,
                    ),
                    stats_json(&execution.stats, execution.throughput),
                )
            }
            None => (dot::plain(d.id, d.nodes, d.edges), json!({})),
        };
        TaskJson {
            link: Link::to(TASKS_PATH, d.id),
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

/// A task's `stats`: its throughput and each node's counts by Kapacitor's names.
pub(crate) fn stats_json(stats: &[NodeStats], throughput: f64) -> Value {
    let node_stats: Map<String, Value> = stats
        .iter()
        .map(|s| {
            let mut values: Map<String, Value> = s
                .named_values()
                .into_iter()
                .map(|(name, value)| (name.to_owned(), Value::from(value)))
                .collect();
            values.insert("collected".into(), s.collected.into());
            values.insert("emitted".into(), s.emitted.into());
            (s.name.clone(), Value::Object(values))
        })
        .collect();
    json!({"task-stats": {"throughput": throughput}, "node-stats": node_stats})
}

/// `GET /kapacitor/v1/tasks?pattern=&fields=&offset=&limit=`.
pub(crate) fn list(query: &Query, state: &State) -> Response<Body> {
    let listing = match Listing::parse(query) {
        Ok(listing) => listing,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let mut tasks: Vec<&LiveTask> = state
        .tasks
        .iter()
        .filter(|t| listing.matches(t.descriptor().id))
        .collect();
    tasks.sort_by_key(|t| t.descriptor().id);
    let entries: Vec<Value> = listing
        .page(tasks)
        .map(|task| listing.entry(&TaskJson::from(task.snapshot())))
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

/// `GET /kapacitor/v1/tasks/ID/ENDPOINT`: the current result of the task's httpOut node at
/// `ENDPOINT`, compact as Kapacitor serves it.
pub(crate) fn http_out(id: &str, endpoint: &str, state: &State) -> Response<Body> {
    let Some(result) = state.tasks.get(id).and_then(|task| task.http_out(endpoint)) else {
        return error(StatusCode::NOT_FOUND, "no task exists");
    };
    match result.current() {
        Ok(body) => text(StatusCode::OK, JSON, body),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
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
    let patch: TaskPatch = match read_json(request).await {
        Ok(patch) => patch,
        Err(refused) => return refused,
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
