//! Reading tasks and templates from a running Kapacitor over its HTTP API, as the `kapacitor`
//! CLI does: lists page by page (100 a page), then each task by id, since only a single task
//! says which template it comes from. Scripts are asked for raw, as they were written.

use std::fmt;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;

use super::api::{Task, TaskList, Template, TemplateList};

/// A page of a list: Kapacitor's default and the CLI's.
const PAGE: usize = 100;
/// What a task id has percent-encoded in a path: all but the characters URLs leave alone
/// (ids are letters, digits, `-`, `_` and `.`, so only non-ASCII letters change).
const ID_IN_PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
/// The largest answer read: a task with a large script and its DOT graph fits many times.
const MAX_BODY_BYTES: u64 = 64 << 20;

/// Why Kapacitor could not be read.
#[derive(Debug)]
pub struct ImportError {
    pub url: String,
    pub reason: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.url, self.reason)
    }
}

impl std::error::Error for ImportError {}

/// A client for one Kapacitor.
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish_non_exhaustive()
    }
}

impl Client {
    /// A client for the Kapacitor at `url` (`http://host:9092`).
    pub fn new(url: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            // Kapacitor explains an error status in the body's `error`: read it.
            .http_status_as_error(false)
            .build()
            .into();
        Client { base: url.trim_end_matches('/').to_owned(), agent }
    }

    /// Every task, in full.
    pub fn tasks(&self) -> Result<Vec<Task>, ImportError> {
        let mut tasks = Vec::new();
        for offset in (0..).step_by(PAGE) {
            let page: TaskList = self.get(
                "/kapacitor/v1/tasks",
                &[("fields", "link"), ("limit", &PAGE.to_string()), ("offset", &offset.to_string())],
            )?;
            let full = page.tasks.len() == PAGE;
            for listed in page.tasks {
                let id = utf8_percent_encode(&listed.id, ID_IN_PATH);
                let path = format!("/kapacitor/v1/tasks/{id}");
                tasks.push(self.get(&path, &[("script-format", "raw")])?);
            }
            if !full {
                break;
            }
        }
        Ok(tasks)
    }

    /// Every template.
    pub fn templates(&self) -> Result<Vec<Template>, ImportError> {
        let mut templates = Vec::new();
        for offset in (0..).step_by(PAGE) {
            let page: TemplateList = self.get(
                "/kapacitor/v1/templates",
                &[("script-format", "raw"), ("limit", &PAGE.to_string()), ("offset", &offset.to_string())],
            )?;
            let full = page.templates.len() == PAGE;
            templates.extend(page.templates);
            if !full {
                break;
            }
        }
        Ok(templates)
    }

    fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> Result<T, ImportError> {
        let url = format!("{}{path}", self.base);
        let error = |reason: String| ImportError { url: url.clone(), reason };
        let request = query.iter().fold(self.agent.get(&url), |r, (k, v)| r.query(*k, *v));
        let mut response = request.call().map_err(|e| error(e.to_string()))?;
        let status = response.status();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_string()
            .map_err(|e| error(format!("cannot read the answer: {e}")))?;
        if !status.is_success() {
            let message = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
                .unwrap_or(body);
            return Err(error(format!("{status}: {message}")));
        }
        serde_json::from_str(&body).map_err(|e| error(format!("not the answer of a Kapacitor: {e}")))
    }
}
