//! The outbox tasks use when they run: one worker thread per target (a post's origin, a TCP
//! address, a file, a program, a mail server), so deliveries to one target keep their order and a
//! slow target holds up only itself. `send` never waits: each worker's queue is bounded, and a
//! delivery that finds it full is dropped, logged and counted, as is every delivery that fails.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use super::policy::DeliveryPolicy;
use super::send::{DeliveryError, Sender};
use super::{Delivery, Outbox};

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

/// Deliveries that failed for good or were dropped; each is logged once on standard error.
#[derive(Debug, Default)]
struct Failures(AtomicU64);

impl Failures {
    fn report(&self, error: &DeliveryError) {
        self.0.fetch_add(1, Ordering::Relaxed);
        eprintln!("E! {error}");
    }

    fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// One target's worker: a thread that delivers its queue in order.
struct Worker {
    queue: SyncSender<Delivery>,
    thread: JoinHandle<()>,
}

/// The outbox of a running task program.
pub struct ThreadedOutbox {
    workers: Mutex<HashMap<String, Worker>>,
    pending: Arc<Pending>,
    failures: Arc<Failures>,
    policy: DeliveryPolicy,
}

impl std::fmt::Debug for ThreadedOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadedOutbox")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Default for ThreadedOutbox {
    fn default() -> Self {
        Self::new()
    }
}

impl ThreadedOutbox {
    /// An outbox with the default [`DeliveryPolicy`].
    pub fn new() -> Self {
        Self::with_policy(DeliveryPolicy::default())
    }

    pub fn with_policy(policy: DeliveryPolicy) -> Self {
        ThreadedOutbox {
            workers: Mutex::default(),
            pending: Arc::default(),
            failures: Arc::default(),
            policy,
        }
    }

    /// Which worker delivers `delivery`. Posts go by origin rather than by URL: a URL template
    /// (`http://h/{{ .ID }}`) makes a URL per alert, and a thread each would have no bound.
    fn target(delivery: &Delivery) -> String {
        match delivery {
            Delivery::Post(post) => format!("post {}", origin(&post.url)),
            Delivery::Tcp { address, .. } => format!("tcp {address}"),
            Delivery::Append { path, .. } => format!("file {}", path.display()),
            Delivery::Exec { program, .. } => format!("exec {program}"),
            Delivery::Email(mail) => format!("smtp {}:{}", mail.server.host, mail.server.port),
        }
    }

    fn spawn(&self, target: &str) -> std::io::Result<Worker> {
        let (queue, inbox) = sync_channel::<Delivery>(self.policy.queue_capacity);
        let pending = Arc::clone(&self.pending);
        let failures = Arc::clone(&self.failures);
        let mut sender = Sender::new(self.policy.clone());
        let name = format!("deliver {target}");
        let thread = std::thread::Builder::new()
            .name(name.chars().take(15).collect())
            .spawn(move || {
                for delivery in inbox {
                    if let Err(e) = sender.deliver(&delivery) {
                        failures.report(&e);
                    }
                    pending.finish();
                }
            })?;
        Ok(Worker { queue, thread })
    }

    /// The queue of `target`'s worker, started on first use.
    fn queue(&self, target: &str) -> Result<SyncSender<Delivery>, String> {
        let mut workers = self.workers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(worker) = workers.get(target) {
            return Ok(worker.queue.clone());
        }
        let worker = self
            .spawn(target)
            .map_err(|e| format!("cannot start a delivery thread: {e}"))?;
        let queue = worker.queue.clone();
        workers.insert(target.to_owned(), worker);
        Ok(queue)
    }
}

/// `scheme://authority` of a URL (all of it when it has no path).
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

impl Outbox for ThreadedOutbox {
    fn send(&self, delivery: Delivery) {
        let target = Self::target(&delivery);
        let dropped = |message: String| DeliveryError {
            what: "a delivery",
            target: target.clone(),
            message,
        };
        let queue = match self.queue(&target) {
            Ok(queue) => queue,
            Err(message) => return self.failures.report(&dropped(message)),
        };
        self.pending.add();
        match queue.try_send(delivery) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.pending.finish();
                let message = format!(
                    "dropped: {} deliveries are already waiting",
                    self.policy.queue_capacity
                );
                self.failures.report(&dropped(message));
            }
            Err(TrySendError::Disconnected(_)) => {
                // The worker is gone (it only stops when the outbox is dropped).
                self.pending.finish();
                self.failures.report(&dropped("its worker has stopped".to_owned()));
            }
        }
    }

    fn flush(&self) {
        self.pending.wait_idle();
    }

    fn failures(&self) -> u64 {
        self.failures.count()
    }
}

impl Drop for ThreadedOutbox {
    fn drop(&mut self) {
        let workers = std::mem::take(&mut *self.workers.lock().unwrap_or_else(|e| e.into_inner()));
        for (_, worker) in workers {
            drop(worker.queue);
            let _ = worker.thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::HttpPost;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};
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

    fn post(url: String) -> Delivery {
        Delivery::Post(HttpPost { url, headers: Vec::new(), body: b"{}".to_vec(), timeout: None })
    }

    fn quick(queue_capacity: usize, retries: u32) -> DeliveryPolicy {
        DeliveryPolicy {
            queue_capacity,
            timeout: Duration::from_millis(400),
            retries,
            backoff: Duration::from_millis(10),
        }
    }

    /// A server that accepts connections and never answers; it keeps them open until the test
    /// ends.
    fn hanging_server() -> (String, std::thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hang", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let server = std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            let until = Instant::now() + Duration::from_secs(5);
            while Instant::now() < until {
                match listener.accept() {
                    Ok((stream, _)) => held.push(stream),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        (url, server)
    }

    /// Reads one request and answers `status`; returns whether a request came.
    fn answer(listener: &TcpListener, status: &str) -> bool {
        let Ok((stream, _)) = listener.accept() else { return false };
        let mut reader = BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return false;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        let answered = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        reader.read_exact(&mut body).is_ok() && reader.get_mut().write_all(answered.as_bytes()).is_ok()
    }

    #[test]
    fn a_hanging_endpoint_holds_up_only_itself() {
        let (url, _server) = hanging_server();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.log");
        let outbox = ThreadedOutbox::with_policy(quick(16, 0));
        let started = Instant::now();
        outbox.send(post(url));
        for i in 0..3 {
            outbox.send(Delivery::Append { path: path.clone(), mode: 0o600, line: format!("{i}\n").into_bytes() });
        }
        assert!(started.elapsed() < Duration::from_millis(200), "send waited");
        // The log lines arrive while the post still waits for its answer.
        let deadline = Instant::now() + Duration::from_millis(300);
        while std::fs::read_to_string(&path).unwrap_or_default().lines().count() < 3 {
            assert!(Instant::now() < deadline, "the other target was held up");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(outbox.failures(), 0);
        outbox.flush();
        assert_eq!(outbox.failures(), 1, "the post timed out");
    }

    #[test]
    fn a_server_error_is_retried_until_it_passes() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/flaky", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            [answer(&listener, "500 Internal Server Error"), answer(&listener, "200 OK")]
        });
        let outbox = ThreadedOutbox::with_policy(quick(16, 2));
        outbox.send(post(url));
        outbox.flush();
        assert_eq!(server.join().unwrap(), [true, true]);
        assert_eq!(outbox.failures(), 0);
    }

    #[test]
    fn a_client_error_is_not_retried() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/bad", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let answered = answer(&listener, "400 Bad Request");
            // A retry would come within its 10ms backoff.
            std::thread::sleep(Duration::from_millis(300));
            listener.set_nonblocking(true).unwrap();
            (answered, listener.accept().is_ok())
        });
        let outbox = ThreadedOutbox::with_policy(quick(16, 2));
        outbox.send(post(url));
        outbox.flush();
        assert_eq!(server.join().unwrap(), (true, false), "answered once, not asked again");
        assert_eq!(outbox.failures(), 1);
    }

    #[test]
    fn a_full_queue_drops_and_counts_rather_than_waiting() {
        let (url, _server) = hanging_server();
        let outbox = ThreadedOutbox::with_policy(quick(1, 0));
        let started = Instant::now();
        for _ in 0..6 {
            outbox.send(post(url.clone()));
        }
        assert!(started.elapsed() < Duration::from_millis(200), "send waited");
        // One in flight (or not yet taken) and one queued at most: the rest are dropped.
        let dropped = outbox.failures();
        assert!((4..=5).contains(&dropped), "{dropped} dropped");
        outbox.flush();
        assert_eq!(outbox.failures(), 6, "the kept ones time out");
    }

    #[test]
    fn posts_share_a_worker_per_origin() {
        assert_eq!(origin("http://h:80/a/b?c"), "http://h:80");
        assert_eq!(origin("https://h"), "https://h");
        assert_eq!(origin("h/x"), "h");
    }
}
