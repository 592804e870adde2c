//! Why a call to the Kapacitor API failed, worded for the person at the terminal.

use std::fmt;

/// A failed API call.
#[derive(Debug)]
pub enum ClientError {
    /// The `--url` (or `TICKC_URL`, `KAPACITOR_URL`) is not an `http://` or `https://` URL.
    BadUrl(String),
    /// No answer from the server: connection refused, timeout, a reply cut short.
    Unreachable { url: String, source: ureq::Error },
    /// The server answered with a status the endpoint does not succeed with. `message` is
    /// Kapacitor's own `{"error": ...}` text, or, as Kapacitor's CLI says when there is none,
    /// `invalid response: code N: body: ...`.
    Api { status: u16, message: String },
    /// A success status with a body that is not what Kapacitor sends.
    Decode(String),
    /// A recording or replay ended in failure; the server's reason.
    JobFailed(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadUrl(url) => {
                write!(f, "invalid URL {url:?}: expected http://host:port")
            }
            ClientError::Unreachable { url, source } => write!(
                f,
                "cannot reach the Kapacitor API at {url} ({source}); is the task program running? \
                 (set --url, TICKC_URL or KAPACITOR_URL)"
            ),
            ClientError::Api { message, .. } => f.write_str(message),
            ClientError::Decode(reason) => write!(f, "failed to decode JSON: {reason}"),
            ClientError::JobFailed(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Unreachable { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What to print for an error reply: the `error` member Kapacitor puts in every error body,
/// else the status and the body itself.
pub(super) fn api_error(status: u16, body: &str) -> ClientError {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error: String,
    }
    let message = match serde_json::from_str::<ErrorBody>(body) {
        Ok(e) if !e.error.is_empty() => e.error,
        _ => format!("invalid response: code {status}: body: {body}"),
    };
    ClientError::Api { status, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kapacitors_message_is_the_error() {
        let e = api_error(404, "{\n    \"error\": \"no task exists\"\n}");
        assert_eq!(e.to_string(), "no task exists");
    }

    #[test]
    fn a_body_without_a_message_is_shown_whole() {
        let e = api_error(502, "<html>bad gateway</html>");
        assert_eq!(
            e.to_string(),
            "invalid response: code 502: body: <html>bad gateway</html>"
        );
    }
}
