//! The outbox tasks use when they run: one worker thread per target (URL, TCP address, file),
//! so deliveries to one target keep their order and a slow target holds up only itself.
//! Each worker's queue is bounded; a full queue makes `send` wait (back-pressure rather than
//! unbounded memory), and `flush` waits until every queue is empty.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{Delivery, HttpPost, Outbox};

/// Deliveries one target may have waiting before `send` waits.
const QUEUE_CAPACITY: usize = 4096;
/// The timeout of a delivery that does not name one.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Counts deliveries sent and not yet finished, so `flush` can wait for zero.
#[derive(Debug, Default)]
struct Pending {
    count: Mutex<usize>,
    done: Condvar,
}

impl Pending {
    fn add(&self) {
        *self.count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    }

    fn finish(&self) {
        let mut count = self.count.lock().unwrap_or_else(|e| e.into_inner());
        *count = count.saturating_sub(1);
        if *count == 0 {
            self.done.notify_all();
        }
    }

    fn wait_idle(&self) {
        let mut count = self.count.lock().unwrap_or_else(|e| e.into_inner());
        while *count > 0 {
            count = self.done.wait(count).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// A failed delivery, reported on standard error as Kapacitor logs it.
fn report(what: &str, target: &str, error: &dyn std::fmt::Display) {
    eprintln!("E! failed to deliver {what} to {target}: {error}");
}

/// One target's worker: a thread that delivers its queue in order.
struct Worker {
    queue: SyncSender<Delivery>,
    thread: JoinHandle<()>,
}

#[derive(Default)]
struct Workers {
    by_target: HashMap<String, Worker>,
}

/// The outbox of a running task program.
pub struct ThreadedOutbox {
    workers: Mutex<Workers>,
    pending: Arc<Pending>,
    agent: ureq::Agent,
}

impl std::fmt::Debug for ThreadedOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadedOutbox").finish_non_exhaustive()
    }
}

impl Default for ThreadedOutbox {
    fn default() -> Self {
        Self::new()
    }
}

impl ThreadedOutbox {
    pub fn new() -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(DEFAULT_TIMEOUT))
            // Kapacitor reports a non-2xx answer as a failure; it is not a transport error.
            .http_status_as_error(false)
            .build();
        ThreadedOutbox { workers: Mutex::new(Workers::default()), pending: Arc::new(Pending::default()), agent: config.into() }
    }

    fn target(delivery: &Delivery) -> String {
        match delivery {
            Delivery::Post(post) => format!("post {}", post.url),
            Delivery::Tcp { address, .. } => format!("tcp {address}"),
            Delivery::Append { path, .. } => format!("file {}", path.display()),
            Delivery::Exec { program, .. } => format!("exec {program}"),
        }
    }

    fn spawn(&self, target: &str) -> std::io::Result<Worker> {
        let (queue, inbox) = sync_channel::<Delivery>(QUEUE_CAPACITY);
        let pending = Arc::clone(&self.pending);
        let agent = self.agent.clone();
        let name = format!("deliver {target}");
        let thread = std::thread::Builder::new()
            .name(name.chars().take(15).collect())
            .spawn(move || {
                let mut files: HashMap<std::path::PathBuf, File> = HashMap::new();
                for delivery in inbox {
                    deliver(&agent, &mut files, delivery);
                    pending.finish();
                }
            })?;
        Ok(Worker { queue, thread })
    }
}

fn deliver(agent: &ureq::Agent, files: &mut HashMap<std::path::PathBuf, File>, delivery: Delivery) {
    match delivery {
        Delivery::Post(post) => post_once(agent, &post),
        Delivery::Tcp { address, line } => {
            if let Err(e) = send_tcp(&address, &line) {
                report("an alert", &address, &e);
            }
        }
        Delivery::Exec { program, args, stdin } => {
            if let Err(e) = run_program(&program, &args, &stdin) {
                report("an alert", &program, &e);
            }
        }
        Delivery::Append { path, mode, line } => {
            let result = match files.get_mut(&path) {
                Some(file) => file.write_all(&line),
                None => open_append(&path, mode).and_then(|mut file| {
                    file.write_all(&line)?;
                    files.insert(path.clone(), file);
                    Ok(())
                }),
            };
            if let Err(e) = result {
                report("a line", &path.display().to_string(), &e);
            }
        }
    }
}

fn post_once(agent: &ureq::Agent, post: &HttpPost) {
    let mut request = agent.post(&post.url);
    let mut has_content_type = false;
    for (name, value) in &post.headers {
        has_content_type |= name.eq_ignore_ascii_case("content-type");
        request = request.header(name, value);
    }
    if !has_content_type {
        request = request.header("Content-Type", "application/json");
    }
    let request = request.config().timeout_global(Some(post.timeout.unwrap_or(DEFAULT_TIMEOUT))).build();
    match request.send(&post.body[..]) {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => report("a post", &post.url, &format!("HTTP status {}", response.status())),
        Err(e) => report("a post", &post.url, &e),
    }
}

fn send_tcp(address: &str, line: &[u8]) -> std::io::Result<()> {
    let addr = address
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("{address} resolves to no address")))?;
    let mut stream = TcpStream::connect_timeout(&addr, DEFAULT_TIMEOUT)?;
    stream.set_write_timeout(Some(DEFAULT_TIMEOUT))?;
    stream.write_all(line)?;
    stream.flush()
}

/// Runs `program` with `stdin` as its standard input, killing it past the default timeout.
fn run_program(program: &str, args: &[String], stdin: &[u8]) -> std::io::Result<()> {
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
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return if status.success() {
                Ok(())
            } else {
                Err(std::io::Error::other(format!("exited with {status}")))
            };
        }
        if started.elapsed() > DEFAULT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other(format!("killed after {}s", DEFAULT_TIMEOUT.as_secs())));
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

impl Outbox for ThreadedOutbox {
    fn send(&self, delivery: Delivery) {
        let target = Self::target(&delivery);
        let queue = {
            let mut workers = self.workers.lock().unwrap_or_else(|e| e.into_inner());
            if !workers.by_target.contains_key(&target) {
                match self.spawn(&target) {
                    Ok(worker) => {
                        workers.by_target.insert(target.clone(), worker);
                    }
                    Err(e) => report("anything", &target, &format!("cannot start a delivery thread: {e}")),
                }
            }
            workers.by_target.get(&target).map(|w| w.queue.clone())
        };
        if let Some(queue) = queue {
            self.pending.add();
            if queue.send(delivery).is_err() {
                // The worker is gone (it only stops when the outbox is dropped).
                self.pending.finish();
            }
        }
    }

    fn flush(&self) {
        self.pending.wait_idle();
    }
}

impl Drop for ThreadedOutbox {
    fn drop(&mut self) {
        let workers = std::mem::take(&mut self.workers.lock().unwrap_or_else(|e| e.into_inner()).by_target);
        for (_, worker) in workers {
            drop(worker.queue);
            let _ = worker.thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read};
    use std::net::TcpListener;

    #[test]
    fn appends_lines_in_order_with_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.log");
        let outbox = ThreadedOutbox::new();
        for i in 0..100 {
            outbox.send(Delivery::Append { path: path.clone(), mode: 0o600, line: format!("{i}\n").into_bytes() });
        }
        outbox.flush();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<usize> = text.lines().map(|l| l.parse().unwrap()).collect();
        assert_eq!(lines, (0..100).collect::<Vec<_>>());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn posts_and_tcp_lines_arrive() {
        let http = TcpListener::bind("127.0.0.1:0").unwrap();
        let http_addr = http.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (stream, _) = http.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            let mut head = String::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                head.push_str(&line);
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            reader.get_mut().write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").unwrap();
            (head, String::from_utf8(body).unwrap())
        });
        let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
        let tcp_addr = tcp.local_addr().unwrap();
        let tcp_server = std::thread::spawn(move || {
            let (mut stream, _) = tcp.accept().unwrap();
            let mut text = String::new();
            stream.read_to_string(&mut text).unwrap();
            text
        });
        let outbox = ThreadedOutbox::new();
        outbox.send(Delivery::Post(HttpPost {
            url: format!("http://{http_addr}/alert"),
            headers: vec![("X-Test".into(), "yes".into())],
            body: b"{\"a\":1}".to_vec(),
            timeout: None,
        }));
        outbox.send(Delivery::Tcp { address: tcp_addr.to_string(), line: b"event\n".to_vec() });
        outbox.flush();
        let (head, body) = server.join().unwrap();
        assert!(head.starts_with("POST /alert HTTP/1.1"));
        assert!(head.to_ascii_lowercase().contains("x-test: yes"));
        assert!(head.to_ascii_lowercase().contains("content-type: application/json"));
        assert_eq!(body, "{\"a\":1}");
        assert_eq!(tcp_server.join().unwrap(), "event\n");
    }
}
