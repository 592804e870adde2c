//! Making one delivery: a post (retried with backoff while the failure may pass), a TCP line, a
//! program run, a mail, a line appended to a file. Each attempt has a timeout, so a target that
//! hangs costs its worker a bounded time.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::pending::Pending;
use super::policy::DeliveryPolicy;
use super::smtp::Mailers;
use super::{Delivery, HttpPost};

/// A delivery that failed for good, as it is logged.
#[derive(Debug)]
pub(crate) struct DeliveryError {
    /// What was being delivered: "a post", "a line"...
    pub what: &'static str,
    pub target: String,
    pub message: String,
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failed to deliver {} to {}: {}", self.what, self.target, self.message)
    }
}

/// What a worker keeps between deliveries: the HTTP agent, open files and mail connections.
pub(crate) struct Sender {
    policy: DeliveryPolicy,
    /// The outbox's state: a stopping outbox cuts the waits between retries short.
    pending: Arc<Pending>,
    agent: ureq::Agent,
    files: HashMap<PathBuf, File>,
    mailers: Mailers,
}

impl Sender {
    pub(crate) fn new(policy: DeliveryPolicy, pending: Arc<Pending>) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(policy.timeout))
            // A non-2xx answer is a failed delivery, not a transport error: it is told apart
            // to decide whether to try again.
            .http_status_as_error(false)
            .build();
        Sender {
            policy,
            pending,
            agent: config.into(),
            files: HashMap::new(),
            mailers: Mailers::default(),
        }
    }

    pub(crate) fn deliver(&mut self, delivery: &Delivery) -> Result<(), DeliveryError> {
        let failed = |what, target: &str, message: String| DeliveryError {
            what,
            target: target.to_owned(),
            message,
        };
        match delivery {
            Delivery::Post(post) => self.post(post).map_err(|m| failed("a post", &post.url, m)),
            Delivery::Tcp { address, line } => send_tcp(address, line, self.policy.timeout)
                .map_err(|e| failed("an alert", address, e.to_string())),
            Delivery::Exec { program, args, stdin } => {
                run_program(program, args, stdin, self.policy.timeout)
                    .map_err(|e| failed("an alert", program, e.to_string()))
            }
            Delivery::Email(mail) => self
                .mailers
                .send(mail, self.policy.timeout)
                .map_err(|e| {
                    let server = format!("{}:{}", mail.server.host, mail.server.port);
                    failed("a mail", &server, e.to_string())
                }),
            Delivery::Append { path, mode, line } => self.append_lines(path, *mode, line),
        }
    }

    /// Appends `lines` (each with its newline) to the file at `path` in one write, creating
    /// it with `mode` if missing.
    pub(crate) fn append_lines(&mut self, path: &Path, mode: u32, lines: &[u8]) -> Result<(), DeliveryError> {
        self.append(path, mode, lines).map_err(|e| DeliveryError {
            what: "a line",
            target: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// Posts, trying again after each failure that may pass, waiting longer each time, until
    /// the outbox stops.
    fn post(&self, post: &HttpPost) -> Result<(), String> {
        let mut backoffs = self.policy.backoffs();
        loop {
            match self.post_once(post) {
                Ok(()) => return Ok(()),
                Err(Attempt::Final(message)) => return Err(message),
                Err(Attempt::Transient(message)) => match backoffs.next() {
                    Some(wait) if self.pending.pause(wait) => {}
                    _ => return Err(message),
                },
            }
        }
    }

    fn post_once(&self, post: &HttpPost) -> Result<(), Attempt> {
        let mut request = self.agent.post(&post.url);
        let mut has_content_type = false;
        for (name, value) in &post.headers {
            has_content_type |= name.eq_ignore_ascii_case("content-type");
            request = request.header(name, value);
        }
        if !has_content_type {
            request = request.header("Content-Type", "application/json");
        }
        let timeout = post.timeout.unwrap_or(self.policy.timeout);
        let request = request.config().timeout_global(Some(timeout)).build();
        match request.send(&post.body[..]) {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => {
                let status = response.status();
                let message = format!("HTTP status {status}");
                if status.is_server_error() || status.as_u16() == 429 {
                    Err(Attempt::Transient(message))
                } else {
                    Err(Attempt::Final(message))
                }
            }
            Err(e) => Err(if is_transient(&e) {
                Attempt::Transient(e.to_string())
            } else {
                Attempt::Final(e.to_string())
            }),
        }
    }

    fn append(&mut self, path: &Path, mode: u32, line: &[u8]) -> std::io::Result<()> {
        if let Some(file) = self.files.get_mut(path) {
            return file.write_all(line);
        }
        let mut file = open_append(path, mode)?;
        file.write_all(line)?;
        self.files.insert(path.to_owned(), file);
        Ok(())
    }
}

/// The outcome of a failed attempt: whether trying again may help.
enum Attempt {
    Transient(String),
    Final(String),
}

/// Failures of the network or of the server's patience, which may pass; a bad URL will not.
fn is_transient(error: &ureq::Error) -> bool {
    matches!(
        error,
        ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::Protocol(_)
            | ureq::Error::BodyStalled
    )
}

fn send_tcp(address: &str, line: &[u8], timeout: Duration) -> std::io::Result<()> {
    let addr = address
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("{address} resolves to no address")))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(line)?;
    stream.flush()
}

/// Runs `program` with `stdin` as its standard input, killing it past `timeout`.
fn run_program(
    program: &str,
    args: &[String],
    stdin: &[u8],
    timeout: Duration,
) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        // A program that exits without reading its input is not a failure of ours.
        let _ = input.write_all(stdin);
    }
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return if status.success() {
                Ok(())
            } else {
                Err(std::io::Error::other(format!("exited with {status}")))
            };
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other(format!(
                "killed after {}s",
                timeout.as_secs_f64()
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn open_append(path: &Path, mode: u32) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}
