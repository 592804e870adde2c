//! Which handler answers a request, by method and path, after the credentials check.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use percent_encoding::percent_decode_str;

use super::query::Query;
use super::response::{Body, error, finish, text};
use super::server::State;
use crate::time::wall_clock_now;
use super::{metrics, ping, recordings, replays, tasks_api, write};

const API: &str = "/kapacitor/v1";

pub(crate) async fn route(request: Request<Incoming>, state: Arc<State>) -> Response<Body> {
    finish(dispatch(request, &state).await)
}

async fn dispatch(request: Request<Incoming>, state: &Arc<State>) -> Response<Body> {
    let query = Query::parse(request.uri().query());
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let is_ping = path == format!("{API}/ping");
    if let Some(credentials) = &state.config.credentials
        && !is_ping
        && !credentials.admit(request.headers(), &query)
    {
        let mut refused = error(StatusCode::UNAUTHORIZED, "authorization failed");
        refused.headers_mut().insert(
            hyper::header::WWW_AUTHENTICATE,
            hyper::header::HeaderValue::from_static("Basic realm=\"tickc\""),
        );
        return refused;
    }
    let api_path = path.strip_prefix(API);
    match (&method, path.as_str(), api_path) {
        (&Method::POST, "/write", _) | (&Method::POST, _, Some("/write")) => {
            write::handle(request, &query, state).await
        }
        (&Method::GET | &Method::HEAD, _, Some("/ping")) => ping::ping(),
        (&Method::GET, "/metrics", _) => text(
            StatusCode::OK,
            metrics::CONTENT_TYPE,
            metrics::render(state),
        ),
        (_, _, Some(rest)) => api(request, &method, rest, &query, state).await,
        _ => not_found(),
    }
}

/// The resources under `/kapacitor/v1`, by their decoded path segments.
async fn api(
    request: Request<Incoming>,
    method: &Method,
    api_path: &str,
    query: &Query,
    state: &Arc<State>,
) -> Response<Body> {
    let Some(segments) = segments(api_path) else {
        return not_found();
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (method, segments.as_slice()) {
        (&Method::GET, ["tasks"]) => tasks_api::list(query, state),
        (&Method::GET, ["tasks", id]) => tasks_api::show(id, state),
        (&Method::PATCH, ["tasks", id]) => {
            tasks_api::patch(id, request, state, wall_clock_now()).await
        }
        (&Method::GET, ["tasks", id, endpoint]) => tasks_api::http_out(id, endpoint, state),
        (&Method::POST, ["recordings", "stream"]) => {
            recordings::record_stream(request, state).await
        }
        (&Method::GET, ["recordings"]) => recordings::list(query, state),
        (&Method::GET, ["recordings", id]) => recordings::show(id, state),
        (&Method::DELETE, ["recordings", id]) => recordings::delete(id, state).await,
        (&Method::POST, ["replays"]) => replays::create(request, state).await,
        (&Method::GET, ["replays"]) => replays::list(query, state),
        (&Method::GET, ["replays", id]) => replays::show(id, state),
        (&Method::DELETE, ["replays", id]) => replays::delete(id, state),
        _ => not_found(),
    }
}

/// The decoded segments of `/a/b/c`; none when one is empty (`/tasks/`, `//`).
fn segments(api_path: &str) -> Option<Vec<String>> {
    let segments: Vec<String> = api_path
        .strip_prefix('/')?
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    segments.iter().all(|s| !s.is_empty()).then_some(segments)
}

fn not_found() -> Response<Body> {
    error(StatusCode::NOT_FOUND, "Not Found")
}
