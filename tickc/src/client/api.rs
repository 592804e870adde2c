//! [`Client`]: one method per Kapacitor API call the operating commands make, with the exact
//! success statuses Kapacitor's own client accepts.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::http::Response;
use ureq::typestate::WithBody;
use ureq::{Body, RequestBuilder};

use super::error::api_error;
use super::{
    ClientError, CreateReplay, Link, RecordStream, Recording, Replay, Resource, Task, TaskStatus,
};

const API: &str = "/kapacitor/v1";
/// Kapacitor's CLI asks for this many entries per page and pages on while a page is full.
const PAGE: usize = 100;
/// A task with its script and DOT graph is kilobytes; the limit keeps a wrong server (or a
/// wrong port) from filling memory.
const MAX_RESPONSE_BYTES: u64 = 16 << 20;
/// No single call of these commands takes long; a server that does not answer is stuck.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Characters left as they are in a path segment (an id); everything else is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// The view of a task every task request of Kapacitor's CLI asks for.
const TASK_VIEW: [(&str, &str); 3] = [
    ("dot-view", "attributes"),
    ("replay-id", ""),
    ("script-format", "formatted"),
];

/// A client of one Kapacitor API (a task program built by tickc, or Kapacitor itself).
#[derive(Debug, Clone)]
pub struct Client {
    base_url: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client for the API at `url` (`http://host:port`); nothing is sent yet.
    pub fn new(url: &str) -> Result<Client, ClientError> {
        let base_url = url.trim_end_matches('/');
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(ClientError::BadUrl(url.to_owned()));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            // Kapacitor explains its error statuses in the body: read it rather than fail bare.
            .http_status_as_error(false)
            .build()
            .into();
        Ok(Client {
            base_url: base_url.to_owned(),
            agent,
        })
    }

    /// The link of the task `id`, as the server would give it.
    pub fn task_link(&self, id: &str) -> Link {
        Link::to(format!("{API}/tasks/{}", utf8_percent_encode(id, SEGMENT)))
    }

    /// `GET /kapacitor/v1/tasks/ID`: the whole task, its script formatted and its DOT graph
    /// with live counts.
    pub fn task(&self, id: &str) -> Result<Task, ClientError> {
        let mut request = self.agent.get(self.url(&self.task_link(id)));
        for (key, value) in TASK_VIEW {
            request = request.query(key, value);
        }
        json(self.answer(request.call(), &[200])?)
    }

    /// `PATCH` a task's status; answers the task as it is now.
    pub fn set_task_status(&self, link: &Link, status: TaskStatus) -> Result<Task, ClientError> {
        #[derive(Serialize)]
        struct StatusPatch {
            status: TaskStatus,
        }
        self.send(
            self.agent.patch(self.url(link)),
            &StatusPatch { status },
            &[200],
        )
    }

    /// `POST /kapacitor/v1/recordings/stream`: start recording a task's input.
    pub fn record_stream(&self, request: &RecordStream) -> Result<Recording, ClientError> {
        let link = Link::to(format!("{API}/recordings/stream"));
        self.send(self.agent.post(self.url(&link)), request, &[201])
    }

    /// A recording's state; 202 while it runs, 200 once done.
    pub fn recording(&self, link: &Link) -> Result<Recording, ClientError> {
        self.get(link, &[200, 202])
    }

    /// `POST /kapacitor/v1/replays`: start replaying a recording through a task.
    pub fn create_replay(&self, request: &CreateReplay) -> Result<Replay, ClientError> {
        let link = Link::to(format!("{API}/replays"));
        self.send(self.agent.post(self.url(&link)), request, &[201])
    }

    /// A replay's state; 202 while it runs, 200 once done.
    pub fn replay(&self, link: &Link) -> Result<Replay, ClientError> {
        self.get(link, &[200, 202])
    }

    /// Every resource whose id matches the glob `pattern` (all for `""`), with `fields` filled
    /// in (besides `id` and `link`), page by page.
    pub fn list<R: Resource>(&self, pattern: &str, fields: &[&str]) -> Result<Vec<R>, ClientError> {
        let mut all = Vec::new();
        loop {
            let page = self.list_page::<R>(pattern, fields, all.len())?;
            let full = page.len() == PAGE;
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }

    /// Deletes every resource whose id matches `pattern`, listing again until none is left, as
    /// Kapacitor's CLI does. Returns how many were deleted.
    pub fn delete_matching<R: Resource>(&self, pattern: &str) -> Result<usize, ClientError> {
        let mut deleted = HashSet::new();
        loop {
            let page = self.list_page::<R>(pattern, &["link"], 0)?;
            let full = page.len() == PAGE;
            for resource in page {
                let href = &resource.link().href;
                // A server that lists what it has deleted would keep this loop going forever.
                if deleted.contains(href) {
                    return Err(ClientError::Decode(format!(
                        "the server still lists {href} after deleting it"
                    )));
                }
                self.delete(resource.link())?;
                deleted.insert(href.clone());
            }
            if !full {
                return Ok(deleted.len());
            }
        }
    }

    /// `DELETE` one resource; deleting what is already gone succeeds too.
    pub fn delete(&self, link: &Link) -> Result<(), ClientError> {
        self.answer(self.agent.delete(self.url(link)).call(), &[204])
            .map(drop)
    }

    fn list_page<R: Resource>(
        &self,
        pattern: &str,
        fields: &[&str],
        offset: usize,
    ) -> Result<Vec<R>, ClientError> {
        let (limit, offset) = (PAGE.to_string(), offset.to_string());
        let mut query: Vec<(&str, &str)> = fields.iter().map(|field| ("fields", *field)).collect();
        query.extend([
            ("limit", limit.as_str()),
            ("offset", offset.as_str()),
            ("pattern", pattern),
        ]);
        if R::COLLECTION == "tasks" {
            query.extend(TASK_VIEW);
        }
        // Kapacitor's client sends parameters sorted by name (a stable sort keeps the fields'
        // order); servers do not care, but request logs then read the same.
        query.sort_by_key(|(key, _)| *key);
        let link = Link::to(format!("{API}/{}", R::COLLECTION));
        let mut request = self.agent.get(self.url(&link));
        for (key, value) in query {
            request = request.query(key, value);
        }
        let mut lists: BTreeMap<String, Vec<R>> = json(self.answer(request.call(), &[200])?)?;
        lists.remove(R::COLLECTION).ok_or_else(|| {
            ClientError::Decode(format!("no \"{}\" list in the reply", R::COLLECTION))
        })
    }

    fn get<T: DeserializeOwned>(&self, link: &Link, ok: &[u16]) -> Result<T, ClientError> {
        json(self.answer(self.agent.get(self.url(link)).call(), ok)?)
    }

    fn send<T: DeserializeOwned>(
        &self,
        request: RequestBuilder<WithBody>,
        body: &impl Serialize,
        ok: &[u16],
    ) -> Result<T, ClientError> {
        let body = serde_json::to_vec(body).map_err(|e| ClientError::Decode(e.to_string()))?;
        let sent = request
            .header("Content-Type", "application/json")
            .send(&body[..]);
        json(self.answer(sent, ok)?)
    }

    fn url(&self, link: &Link) -> String {
        format!("{}{}", self.base_url, link.href)
    }

    /// Passes a reply with one of the `ok` statuses through; any other becomes the server's
    /// error message.
    fn answer(
        &self,
        sent: Result<Response<Body>, ureq::Error>,
        ok: &[u16],
    ) -> Result<Response<Body>, ClientError> {
        let response = sent.map_err(|source| ClientError::Unreachable {
            url: self.base_url.clone(),
            source,
        })?;
        let status = response.status().as_u16();
        if ok.contains(&status) {
            return Ok(response);
        }
        let body = response
            .into_body()
            .into_with_config()
            .limit(64 << 10)
            .lossy_utf8(true)
            .read_to_string()
            .unwrap_or_default();
        Err(api_error(status, &body))
    }
}

fn json<T: DeserializeOwned>(response: Response<Body>) -> Result<T, ClientError> {
    let bytes = response
        .into_body()
        .into_with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_vec()
        .map_err(|e| ClientError::Decode(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
}
