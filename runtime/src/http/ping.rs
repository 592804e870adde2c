//! `GET /kapacitor/v1/ping`: 204 and the version header, which is all the CLI's ping checks.

use hyper::{Response, StatusCode};

use super::response::{Body, empty};

pub(crate) fn ping() -> Response<Body> {
    empty(StatusCode::NO_CONTENT)
}
