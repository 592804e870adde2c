//! A blocking HTTP client for InfluxDB 1.x: `/ping`, `/query` (SELECT and SHOW by GET, other
//! statements by POST) and `/write`.
//!
//! Queries ask for `epoch=ns` (times as integers: no RFC 3339 parsing, no precision lost) and a
//! chunked reply (InfluxDB then streams the result instead of building it whole in its memory);
//! [`read_query_response`] puts the chunks back together. A task's queries run on a thread of
//! their own, so a blocking client is all they need.

use std::fmt;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;

use super::response::{ResponseError, Series, read_query_response};
use crate::time::Precision;

/// How long one request may take before it fails, unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest reply body read, unless configured otherwise: a query result is held in memory
/// as batches, so a runaway query must fail rather than exhaust it.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 256 << 20;

/// Where an InfluxDB is and how to talk to it.
#[derive(Debug, Clone, PartialEq)]
pub struct InfluxDbConfig {
    /// `http://host:port`, optionally with a path prefix.
    pub url: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub timeout: Duration,
    pub max_response_bytes: u64,
}

impl InfluxDbConfig {
    pub fn new(url: impl Into<String>) -> Self {
        InfluxDbConfig {
            url: url.into(),
            username: None,
            password: None,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// Why a request to InfluxDB failed.
#[derive(Debug)]
pub enum InfluxDbError {
    /// The configured URL is not an `http://` or `https://` URL.
    BadUrl(String),
    /// No answer: connection refused, timeout, a reply cut short...
    Transport(ureq::Error),
    /// InfluxDB answered with an error status; `message` is its `{"error": ...}` text, or the
    /// body itself when it is not that JSON.
    Status { status: u16, message: String },
    /// A 200 reply that holds an error, or that is not what InfluxDB sends.
    Response(ResponseError),
}

impl fmt::Display for InfluxDbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InfluxDbError::BadUrl(url) => {
                write!(f, "invalid InfluxDB URL {url:?}: expected http://host:port")
            }
            InfluxDbError::Transport(e) => write!(f, "cannot reach InfluxDB: {e}"),
            InfluxDbError::Status { status, message } => {
                write!(f, "InfluxDB answered {status}: {message}")
            }
            InfluxDbError::Response(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for InfluxDbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InfluxDbError::Transport(e) => Some(e),
            InfluxDbError::Response(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ureq::Error> for InfluxDbError {
    fn from(e: ureq::Error) -> Self {
        InfluxDbError::Transport(e)
    }
}

impl From<ResponseError> for InfluxDbError {
    fn from(e: ResponseError) -> Self {
        InfluxDbError::Response(e)
    }
}

/// A connection-pooling client for one InfluxDB.
#[derive(Clone)]
pub struct InfluxDbClient {
    base_url: String,
    /// The `Authorization` header value, when credentials are configured.
    authorization: Option<String>,
    max_response_bytes: u64,
    agent: ureq::Agent,
}

impl fmt::Debug for InfluxDbClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the credentials.
        f.debug_struct("InfluxDbClient")
            .field("base_url", &self.base_url)
            .field("authenticated", &self.authorization.is_some())
            .finish_non_exhaustive()
    }
}

impl InfluxDbClient {
    pub fn new(config: &InfluxDbConfig) -> Result<Self, InfluxDbError> {
        let base_url = config.url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(InfluxDbError::BadUrl(config.url.clone()));
        }
        let authorization = config.username.as_ref().map(|user| {
            let password = config.password.as_deref().unwrap_or("");
            format!("Basic {}", BASE64.encode(format!("{user}:{password}")))
        });
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            // InfluxDB explains its error statuses in the body: read it rather than fail bare.
            .http_status_as_error(false)
            .build()
            .into();
        Ok(InfluxDbClient {
            base_url,
            authorization,
            max_response_bytes: config.max_response_bytes,
            agent,
        })
    }

    fn url(&self, endpoint: &str) -> String {
        format!("{}/{endpoint}", self.base_url)
    }

    fn authorize<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.authorization {
            Some(value) => request.header("Authorization", value),
            None => request,
        }
    }

    /// Checks that InfluxDB is up; returns its version (the `X-Influxdb-Version` header).
    pub fn ping(&self) -> Result<String, InfluxDbError> {
        let response = self.authorize(self.agent.get(self.url("ping"))).call()?;
        let version = response
            .headers()
            .get("X-Influxdb-Version")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        self.check_status(response)?;
        Ok(version)
    }

    /// Runs a read-only query (SELECT, SHOW) by GET, in `database` when the query does not
    /// name it, and returns the series of its statements.
    pub fn select(
        &self,
        query: &str,
        database: Option<&str>,
    ) -> Result<Vec<Series>, InfluxDbError> {
        let mut request = self
            .agent
            .get(self.url("query"))
            .query("q", query)
            .query("epoch", "ns")
            .query("chunked", "true");
        if let Some(database) = database {
            request = request.query("db", database);
        }
        let response = self.check_status(self.authorize(request).call()?)?;
        let body = response
            .into_body()
            .into_with_config()
            .limit(self.max_response_bytes)
            .reader();
        Ok(read_query_response(body)?)
    }

    /// Runs statements that change things (CREATE DATABASE, CREATE SUBSCRIPTION...) by POST,
    /// as InfluxDB requires for them, and returns the series they answer with.
    pub fn execute(&self, statements: &str) -> Result<Vec<Series>, InfluxDbError> {
        let request = self.authorize(self.agent.post(self.url("query")));
        let response = self.check_status(request.send_form([("q", statements)])?)?;
        let body = response
            .into_body()
            .into_with_config()
            .limit(self.max_response_bytes)
            .reader();
        Ok(read_query_response(body)?)
    }

    /// Writes line protocol into `database` (and `retention_policy`, or the default one), with
    /// timestamps in `precision`.
    pub fn write(
        &self,
        database: &str,
        retention_policy: Option<&str>,
        precision: Precision,
        body: &[u8],
    ) -> Result<(), InfluxDbError> {
        let mut request = self
            .agent
            .post(self.url("write"))
            .query("db", database)
            .query("precision", precision.as_str());
        if let Some(rp) = retention_policy {
            request = request.query("rp", rp);
        }
        self.check_status(self.authorize(request).send(body)?)?;
        Ok(())
    }

    /// Passes a 2xx reply through; turns any other into an error with InfluxDB's explanation.
    fn check_status(
        &self,
        response: ureq::http::Response<ureq::Body>,
    ) -> Result<ureq::http::Response<ureq::Body>, InfluxDbError> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        // The explanation is short; a limit keeps a misbehaving server from sending megabytes.
        let text = response
            .into_body()
            .into_with_config()
            .limit(64 << 10)
            .lossy_utf8(true)
            .read_to_string()
            .unwrap_or_default();
        Err(InfluxDbError::Status {
            status: status.as_u16(),
            message: error_message(&text),
        })
    }
}

/// InfluxDB's `{"error": "..."}` text, or the trimmed body when it is something else (a
/// proxy's HTML page, say).
fn error_message(body: &str) -> String {
    #[derive(Deserialize)]
    struct ErrorBody {
        error: String,
    }
    serde_json::from_str::<ErrorBody>(body)
        .map(|e| e.error)
        .unwrap_or_else(|_| body.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;

    use serde_json::json;

    /// A one-request HTTP server: answers `reply` (a full HTTP response) and sends back the
    /// request line, headers and body it received.
    fn serve_once(reply: String) -> (String, mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut content_length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    content_length = value.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let mut body = vec![0; content_length];
            reader.read_exact(&mut body).unwrap();
            let mut stream = stream;
            stream.write_all(reply.as_bytes()).unwrap();
            sender
                .send(format!("{head}\n{}", String::from_utf8_lossy(&body)))
                .unwrap();
        });
        (url, receiver)
    }

    fn client(url: &str) -> InfluxDbClient {
        InfluxDbClient::new(&InfluxDbConfig::new(url)).unwrap()
    }

    /// A full HTTP/1.1 response with `body`.
    fn reply(status: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    }

    #[test]
    fn select_asks_for_epoch_ns_and_chunks() {
        // Two chunks of one series, as InfluxDB streams them with chunked=true.
        let body = concat!(
            r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[1,2.5]],"partial":true}],"partial":true}]}"#,
            "\n",
            r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[2,null]]}]}]}"#,
            "\n",
        );
        let (url, request) = serve_once(reply("200 OK", body));
        let series = client(&url)
            .select("SELECT v FROM m WHERE a = 'b c'", Some("db"))
            .unwrap();
        assert_eq!(series.len(), 1);
        assert_eq!(
            series[0].values,
            [[json!(1), json!(2.5)], [json!(2), json!(null)]]
        );
        let request = request.recv().unwrap();
        let request_line = request.lines().next().unwrap();
        assert_eq!(
            request_line,
            "GET /query?q=SELECT%20v%20FROM%20m%20WHERE%20a%20%3D%20%27b%20c%27&epoch=ns&chunked=true&db=db HTTP/1.1"
        );
    }

    #[test]
    fn execute_posts_a_form_with_credentials() {
        let (url, request) = serve_once(reply("200 OK", "{\"results\":[{\"statement_id\":0}]}\n"));
        let mut config = InfluxDbConfig::new(format!("{url}/"));
        config.username = Some("kap".into());
        config.password = Some("secret".into());
        let client = InfluxDbClient::new(&config).unwrap();
        assert!(!format!("{client:?}").contains("secret"));
        assert_eq!(client.execute("CREATE DATABASE \"x\"").unwrap(), vec![]);
        let request = request.recv().unwrap();
        assert!(request.starts_with("POST /query HTTP/1.1"), "{request}");
        // base64("kap:secret")
        assert!(
            request.contains("authorization: Basic a2FwOnNlY3JldA=="),
            "{request}"
        );
        assert!(
            request.ends_with("\nq=CREATE+DATABASE+%22x%22"),
            "{request}"
        );
    }

    #[test]
    fn errors_in_a_200_reply_and_in_statuses() {
        let (url, _request) = serve_once(reply(
            "200 OK",
            r#"{"results":[{"statement_id":0,"error":"database not found: x"}]}"#,
        ));
        insta::assert_snapshot!(
            client(&url).select("SELECT v FROM m", Some("x")).unwrap_err(),
            @"InfluxDB statement 0 failed: database not found: x"
        );
        let (url, _request) = serve_once(reply(
            "400 Bad Request",
            r#"{"error":"unable to parse 'cpu v=': missing field value"}"#,
        ));
        insta::assert_snapshot!(
            client(&url).write("db", None, Precision::Second, b"cpu v=").unwrap_err(),
            @"InfluxDB answered 400: unable to parse 'cpu v=': missing field value"
        );
        let (url, _request) = serve_once(reply("502 Bad Gateway", "proxy broke\n"));
        insta::assert_snapshot!(client(&url).ping().unwrap_err(), @"InfluxDB answered 502: proxy broke");
    }

    #[test]
    fn write_sends_the_body_with_db_rp_and_precision() {
        let (url, request) = serve_once("HTTP/1.1 204 No Content\r\n\r\n".to_owned());
        client(&url)
            .write(
                "telegraf",
                Some("autogen"),
                Precision::Second,
                b"cpu v=1 1\n",
            )
            .unwrap();
        let request = request.recv().unwrap();
        assert!(
            request.starts_with("POST /write?db=telegraf&precision=s&rp=autogen HTTP/1.1"),
            "{request}"
        );
        assert!(request.ends_with("\ncpu v=1 1\n"), "{request}");
    }

    #[test]
    fn rejects_urls_that_are_not_http() {
        let error = InfluxDbClient::new(&InfluxDbConfig::new("localhost:8086")).unwrap_err();
        insta::assert_snapshot!(error, @r#"invalid InfluxDB URL "localhost:8086": expected http://host:port"#);
    }
}
