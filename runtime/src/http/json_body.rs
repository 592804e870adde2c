//! Reading the small JSON body of an API request (a status change, a recording or replay to
//! start), with a size limit.

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::de::DeserializeOwned;

use super::response::{Body, error};

/// The largest API body read; the requests are a few bytes.
const MAX_BODY_BYTES: usize = 1 << 20;

/// The body as `T`, or the 400 answer saying why not.
pub(crate) async fn read_json<T: DeserializeOwned>(
    request: Request<Incoming>,
) -> Result<T, Response<Body>> {
    let body = match Limited::new(request.into_body(), MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return Err(error(StatusCode::BAD_REQUEST, &format!("reading the body: {e}"))),
    };
    serde_json::from_slice(&body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, &format!("invalid JSON: {e}")))
}
