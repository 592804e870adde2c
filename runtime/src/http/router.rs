//! Which handler answers a request, by method and path, after the credentials check.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use percent_encoding::percent_decode_str;

use super::query::Query;
use super::response::{Body, error, finish, text};
use super::server::State;
use crate::time::wall_clock_now;
use super::{metrics, ping, tasks_api, write};

const API: &str = "/kapacitor/v1";

pub(crate) async fn route(request: Request<Incoming>, state: Arc<State>) -> Response<Body> {
    finish(dispatch(request, &state).await)
}

async fn dispatch(request: Request<Incoming>, state: &State) -> Response<Body> {
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
        (&Method::GET, _, Some("/tasks")) => tasks_api::list(&query, state),
        (_, _, Some(rest)) => match task_id(rest) {
            Some(id) if method == Method::GET => tasks_api::show(&id, state),
            Some(id) if method == Method::PATCH => {
                tasks_api::patch(&id, request, state, wall_clock_now()).await
            }
            _ => not_found(),
        },
        _ => not_found(),
    }
}

/// The task id of `/tasks/ID`, decoded.
fn task_id(api_path: &str) -> Option<String> {
    let id = api_path.strip_prefix("/tasks/")?;
    if id.is_empty() || id.contains('/') {
        return None;
    }
    Some(percent_decode_str(id).decode_utf8_lossy().into_owned())
}

fn not_found() -> Response<Body> {
    error(StatusCode::NOT_FOUND, "Not Found")
}
