//! Building responses: Kapacitor's JSON shapes (4-space indented, `{"error": ...}` on failure)
//! and the headers every answer carries.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use serde::Serialize;

pub(crate) type Body = Full<Bytes>;

/// The version header the `kapacitor` CLI's ping reads; the value is ours.
const VERSION_HEADER: HeaderName = HeaderName::from_static("x-kapacitor-version");
const VERSION: &str = concat!("tickc-", env!("CARGO_PKG_VERSION"));
/// Kapacitor labels every answer JSON, empty ones included.
pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// A response with no body.
pub(crate) fn empty(status: StatusCode) -> Response<Body> {
    with_body(status, Bytes::new())
}

/// `value` as JSON indented by four spaces, as Kapacitor's `json.MarshalIndent` writes it.
pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    match value.serialize(&mut serializer) {
        Ok(()) => with_body(status, Bytes::from(out)),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("encoding the response: {e}"),
        ),
    }
}

/// Kapacitor's error answer: `{"error": message}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response<Body> {
    json(status, &serde_json::json!({ "error": message }))
}

/// A body of another type than JSON.
pub(crate) fn text(status: StatusCode, content_type: &'static str, body: String) -> Response<Body> {
    let mut response = with_body(status, Bytes::from(body));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn with_body(status: StatusCode, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
}

/// Adds the headers every answer carries: the version, and JSON as the type unless the
/// handler chose another.
pub(crate) fn finish(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    headers.insert(VERSION_HEADER, HeaderValue::from_static(VERSION));
    headers
        .entry(CONTENT_TYPE)
        .or_insert(HeaderValue::from_static(JSON));
    response
}
