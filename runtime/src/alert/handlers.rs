//! The alert handlers a script declares (`.log()`, `.post()`, `.tcp()`, `.exec()`, and the
//! services of [`super::services`]), and the delivery each makes of an event. The first four
//! send the event's alert JSON; services build payloads of their own from the [`Event`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::event::Event;
use super::services::{SendError, ServiceHandler, ServicesConfig};
use crate::delivery::{Delivery, HttpPost};
use crate::json::UnsupportedFloat;
use crate::template::{StructValue, Template, TemplateError, Value};

/// The file mode `.log()` creates files with unless `.mode()` says otherwise.
pub const DEFAULT_LOG_MODE: u32 = 0o600;

/// A handler the script declares on an alert node.
#[derive(Debug, Clone, PartialEq)]
pub enum Handler {
    Log(LogHandler),
    Post(PostHandler),
    Tcp(TcpHandler),
    Exec(ExecHandler),
    // Boxed: a service handler carries its whole configuration section.
    Service(Box<ServiceHandler>),
}

/// Why a handler cannot be created (Kapacitor refuses the task then).
#[derive(Debug, Clone, PartialEq)]
pub enum HandlerError {
    /// `.mode()` without the owner's write bit.
    LogModeNotWritable(u32),
    LogPathNotAbsolute(PathBuf),
    PostWithoutUrl,
    /// `.post().endpoint(name)` names no `[[httppost]]` endpoint and gives no URL either.
    UnknownEndpoint(String),
    BadPostUrl(TemplateError),
    /// A service handler's property that is a template does not parse.
    BadTemplate {
        handler: &'static str,
        property: &'static str,
        error: TemplateError,
    },
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerError::LogModeNotWritable(mode) => {
                write!(f, "invalid file mode {mode:#o}, must be user writable")
            }
            HandlerError::LogPathNotAbsolute(path) => write!(
                f,
                "log path must be absolute: {} is not absolute",
                path.display()
            ),
            HandlerError::PostWithoutUrl => f.write_str("a post handler needs a URL"),
            HandlerError::UnknownEndpoint(name) => write!(
                f,
                "no [[httppost]] endpoint is named {name:?} and the post handler gives no URL"
            ),
            HandlerError::BadPostUrl(e) => write!(f, "bad post URL template: {e}"),
            HandlerError::BadTemplate {
                handler,
                property,
                error,
            } => write!(f, "bad template in .{handler}().{property}(): {error}"),
        }
    }
}

impl std::error::Error for HandlerError {}

/// `.log(path)`: appends each event's JSON line to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHandler {
    path: PathBuf,
    mode: u32,
}

impl LogHandler {
    /// `mode` is `.mode()`'s value, `None` (or 0, as Kapacitor reads it) for the default 0600.
    pub fn new(path: impl Into<PathBuf>, mode: Option<u32>) -> Result<Self, HandlerError> {
        let path = path.into();
        let mode = mode.filter(|m| *m != 0).unwrap_or(DEFAULT_LOG_MODE);
        if mode & 0o200 == 0 {
            return Err(HandlerError::LogModeNotWritable(mode));
        }
        if !path.is_absolute() {
            return Err(HandlerError::LogPathNotAbsolute(path));
        }
        Ok(LogHandler { path, mode })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `.post(url)`: posts each event's JSON. The URL is a text template over the alert data
/// (`{{ .ID }}`, `{{ .Level }}`...), as in Kapacitor.
#[derive(Debug, Clone, PartialEq)]
pub struct PostHandler {
    url: PostUrl,
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq)]
enum PostUrl {
    /// Text without actions renders as itself: no need to build template data per event.
    Fixed(String),
    Template(Template),
}

impl PostHandler {
    /// `headers` are `.header(name, value)` in script order; `timeout` is `.timeout()`.
    pub fn new(
        url: &str,
        headers: Vec<(String, String)>,
        timeout: Option<Duration>,
    ) -> Result<Self, HandlerError> {
        if url.is_empty() {
            return Err(HandlerError::PostWithoutUrl);
        }
        let url = if url.contains("{{") {
            PostUrl::Template(Template::parse(url).map_err(HandlerError::BadPostUrl)?)
        } else {
            PostUrl::Fixed(url.to_owned())
        };
        Ok(PostHandler {
            url,
            headers,
            timeout,
        })
    }

    /// `.post(url).endpoint(name)`: the `[[httppost]]` endpoint `name` when one is configured
    /// (its URL, headers and basic auth; a script header replaces the endpoint's of the same
    /// name), else `url`, as Kapacitor chooses.
    pub fn at_endpoint(
        endpoint: &str,
        url: &str,
        headers: Vec<(String, String)>,
        timeout: Option<Duration>,
        services: &ServicesConfig,
    ) -> Result<Self, HandlerError> {
        let Some(configured) = services.endpoint(endpoint) else {
            if url.is_empty() {
                return Err(HandlerError::UnknownEndpoint(endpoint.to_owned()));
            }
            return Self::new(url, headers, timeout);
        };
        let mut all: Vec<(String, String)> = configured
            .basic_auth
            .credentials()
            .map(|(user, password)| {
                let token = BASE64.encode(format!("{user}:{password}"));
                ("Authorization".to_owned(), format!("Basic {token}"))
            })
            .into_iter()
            .chain(configured.headers.clone())
            .collect();
        for (name, value) in headers {
            all.retain(|(existing, _)| !existing.eq_ignore_ascii_case(&name));
            all.push((name, value));
        }
        Self::new(&configured.url, all, timeout)
    }

    fn url(&self, event: &Event<'_>) -> Result<String, TemplateError> {
        match &self.url {
            PostUrl::Fixed(url) => Ok(url.clone()),
            PostUrl::Template(t) => t.render(&url_data(event)),
        }
    }

    /// The script's headers, then the content type, which Kapacitor sets last (so it wins).
    fn request_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("content-type"))
            .cloned()
            .chain([("Content-Type".to_owned(), "application/json".to_owned())])
            .collect()
    }
}

/// What a post URL template sees: Kapacitor's `alert.Data`. Its `Data` member (the result
/// rows) is not offered: a URL has no use for it.
fn url_data(event: &Event<'_>) -> Value {
    StructValue::new("alert.Data")
        .field("ID", event.id.as_str())
        .field("Message", event.message.as_str())
        .field("Details", event.details())
        .field("Time", Value::Time(event.time))
        .field("Duration", Value::Duration(event.duration))
        .field("Level", event.level.as_str())
        .field("PreviousLevel", event.previous_level.as_str())
        .field("Recoverable", Value::Bool(event.recoverable))
        .into()
}

/// `.tcp(address)`: sends each event's JSON over a new connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpHandler {
    pub address: String,
}

/// `.exec(program, args...)`: runs a program with the event's JSON on its standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecHandler {
    pub program: String,
    pub args: Vec<String>,
}

/// Why an event could not be handed to a handler.
#[derive(Debug, Clone, PartialEq)]
pub enum HandleError {
    /// The event's data holds a NaN or an infinity: Kapacitor cannot encode it either.
    Unencodable(UnsupportedFloat),
    PostUrl(TemplateError),
    /// A service handler sends nothing for the event.
    Service {
        service: &'static str,
        error: SendError,
    },
}

impl fmt::Display for HandleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandleError::Unencodable(e) => write!(f, "failed to marshal alert data json: {e}"),
            HandleError::PostUrl(e) => write!(f, "failed to execute url template: {e}"),
            HandleError::Service { service, error } => {
                write!(f, "failed to send event to {service}: {error}")
            }
        }
    }
}

impl std::error::Error for HandleError {}

/// Builds the deliveries of one event for `handlers`, in order. The alert JSON is encoded once,
/// when a handler first needs it. A handler that fails is skipped and its error passed to
/// `on_error`; the others still deliver.
pub fn deliveries(
    handlers: &[Handler],
    event: &Event<'_>,
    mut on_error: impl FnMut(HandleError),
) -> Vec<Delivery> {
    let mut alert_json: Option<Result<Vec<u8>, UnsupportedFloat>> = None;
    // The last handler sending the JSON takes it; those before it take copies.
    let last_json_use = handlers.iter().rposition(|h| !matches!(h, Handler::Service(_)));
    let mut out = Vec::with_capacity(handlers.len());
    for (i, handler) in handlers.iter().enumerate() {
        if let Handler::Service(service) = handler {
            match service.delivery(event) {
                Ok(delivery) => out.push(delivery),
                Err(error) => on_error(HandleError::Service {
                    service: service.service(),
                    error,
                }),
            }
            continue;
        }
        let json = match alert_json.get_or_insert_with(|| event.alert_json()) {
            Ok(json) => json,
            Err(e) => {
                on_error(HandleError::Unencodable(*e));
                continue;
            }
        };
        let owned = |json: &mut Vec<u8>| {
            if Some(i) == last_json_use {
                std::mem::take(json)
            } else {
                json.clone()
            }
        };
        let delivery = match handler {
            Handler::Log(h) => Delivery::Append {
                path: h.path.clone(),
                mode: h.mode,
                line: owned(json),
            },
            Handler::Post(h) => match h.url(event) {
                Ok(url) => Delivery::Post(HttpPost {
                    url,
                    headers: h.request_headers(),
                    body: owned(json),
                    timeout: h.timeout,
                }),
                Err(e) => {
                    on_error(HandleError::PostUrl(e));
                    continue;
                }
            },
            // Kapacitor's tcp handler writes a newline after the encoder's own: the line
            // arrives followed by an empty one.
            Handler::Tcp(h) => Delivery::Tcp {
                address: h.address.clone(),
                line: [json.as_slice(), b"\n"].concat(),
            },
            Handler::Exec(h) => Delivery::Exec {
                program: h.program.clone(),
                args: h.args.clone(),
                stdin: owned(json),
            },
            // Delivered above: services do not send the alert JSON.
            Handler::Service(_) => continue,
        };
        out.push(delivery);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::event::EventSource;
    use crate::alert::level::Level;
    use crate::point::{Dimensions, FieldValue, Fields, GroupKey, Point};

    fn point(v: f64) -> Point {
        Point {
            database: "db".into(),
            retention_policy: "rp".into(),
            name: "cpu".into(),
            tags: Default::default(),
            fields: Fields::from_iter([("v".to_owned(), FieldValue::Float(v))]),
            time: 0,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }

    fn event(p: &Point) -> Event<'_> {
        Event {
            id: "cpu:nil".into(),
            message: "m".into(),
            details: "d".into(),
            time: 0,
            duration: 0,
            level: Level::Warning,
            previous_level: Level::Ok,
            recoverable: true,
            name: &p.name,
            task_name: "t",
            server: &crate::template::alert_data::NO_SERVER,
            category: None,
            group: "",
            tags: &p.tags,
            fields: &p.fields,
            data: EventSource::Point(p),
        }
    }

    #[test]
    fn each_handler_delivers_the_same_json() {
        let p = point(1.0);
        let e = event(&p);
        let handlers = [
            Handler::Log(LogHandler::new("/tmp/a.log", Some(0o644)).unwrap()),
            Handler::Post(
                PostHandler::new(
                    "http://h/{{ .ID }}/{{ .Level }}",
                    vec![("Content-Type".into(), "text/plain".into())],
                    None,
                )
                .unwrap(),
            ),
            Handler::Tcp(TcpHandler {
                address: "127.0.0.1:9".into(),
            }),
            Handler::Exec(ExecHandler {
                program: "/bin/cat".into(),
                args: vec!["-".into()],
            }),
        ];
        let json = e.alert_json().unwrap();
        let sent = deliveries(&handlers, &e, |e| panic!("{e}"));
        assert_eq!(
            sent,
            [
                Delivery::Append {
                    path: "/tmp/a.log".into(),
                    mode: 0o644,
                    line: json.clone()
                },
                Delivery::Post(HttpPost {
                    url: "http://h/cpu:nil/WARNING".into(),
                    headers: vec![("Content-Type".into(), "application/json".into())],
                    body: json.clone(),
                    timeout: None
                }),
                Delivery::Tcp {
                    address: "127.0.0.1:9".into(),
                    line: [json.as_slice(), b"\n"].concat()
                },
                Delivery::Exec {
                    program: "/bin/cat".into(),
                    args: vec!["-".into()],
                    stdin: json
                },
            ]
        );
    }

    #[test]
    fn an_unencodable_event_is_reported_once_per_handler() {
        let p = point(f64::INFINITY);
        let handlers = [
            Handler::Tcp(TcpHandler {
                address: "a:1".into(),
            }),
            Handler::Tcp(TcpHandler {
                address: "b:1".into(),
            }),
        ];
        let mut errors = 0;
        assert!(deliveries(&handlers, &event(&p), |_| errors += 1).is_empty());
        assert_eq!(errors, 2);
    }

    #[test]
    fn a_configured_endpoint_gives_url_headers_and_basic_auth() {
        let services: ServicesConfig = toml::from_str(
            "[[httppost]]\nendpoint = 'hook'\nurl = 'http://hook/{{ .Level }}'\nheaders = { X-Team = 'ops', X-Env = 'prod' }\nbasic-auth = { username = 'u', password = 'p' }\n",
        )
        .unwrap();
        let script_headers = vec![("x-env".to_owned(), "test".to_owned())];
        let post =
            PostHandler::at_endpoint("hook", "http://ignored", script_headers, None, &services)
                .unwrap();
        let p = point(1.0);
        let sent = deliveries(&[Handler::Post(post)], &event(&p), |e| panic!("{e}"));
        let [Delivery::Post(request)] = sent.as_slice() else {
            panic!("{sent:?}")
        };
        assert_eq!(request.url, "http://hook/WARNING");
        assert_eq!(
            request.headers,
            [
                ("Authorization".to_owned(), "Basic dTpw".to_owned()),
                ("X-Team".to_owned(), "ops".to_owned()),
                ("x-env".to_owned(), "test".to_owned()),
                ("Content-Type".to_owned(), "application/json".to_owned()),
            ]
        );
    }

    #[test]
    fn an_unknown_endpoint_falls_back_to_the_url_or_fails() {
        let none = ServicesConfig::default();
        let post = PostHandler::at_endpoint("x", "http://h/", Vec::new(), None, &none).unwrap();
        assert_eq!(post, PostHandler::new("http://h/", Vec::new(), None).unwrap());
        assert_eq!(
            PostHandler::at_endpoint("x", "", Vec::new(), None, &none),
            Err(HandlerError::UnknownEndpoint("x".into()))
        );
    }

    #[test]
    fn log_handlers_check_their_mode_and_path() {
        assert_eq!(
            LogHandler::new("/tmp/x", None).unwrap().mode,
            DEFAULT_LOG_MODE
        );
        assert_eq!(
            LogHandler::new("/tmp/x", Some(0o444)),
            Err(HandlerError::LogModeNotWritable(0o444))
        );
        assert!(matches!(
            LogHandler::new("alerts.log", None),
            Err(HandlerError::LogPathNotAbsolute(_))
        ));
    }
}
