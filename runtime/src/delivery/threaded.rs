//! The outbox tasks use when they run: one worker thread per target (a post's origin, a TCP
//! address, a file, a program, a mail server), so deliveries to one target keep their order and a
//! slow target holds up only itself. `send` never waits: each worker's queue is bounded, and a
//! delivery that finds it full is dropped, logged and counted, as is every delivery that fails:
//! in the outbox's total, and in the sending node's [`FailureCount`] when it gave one.
//!
//! Each delivery remembers the task that sent it, and stays listed in its queue until it is
//! delivered or has failed for good, so a task can save what it has pending with its state.
//!
//! When the program ends ([`Outbox::stop`]) every target goes on delivering for as long as one
//! attempt may take (the handler timeout), so what can be delivered is; a target whose delivery
//! fails then is not tried again but keeps what it has, for the save.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use super::pending::Pending;
use super::policy::DeliveryPolicy;
use super::send::{DeliveryError, Sender};
use super::{Delivery, FailureCount, Outbox};

/// Deliveries that failed for good or were dropped; each is logged once on standard error.
#[derive(Debug, Default)]
struct Failures(AtomicU64);

impl Failures {
    /// Counts a failure in the total, and in the count of the `node` that sent the delivery.
    fn report(&self, error: &DeliveryError, node: Option<&FailureCount>) {
        self.0.fetch_add(1, Ordering::Relaxed);
        if let Some(node) = node {
            node.add();
        }
        eprintln!("E! {error}");
    }

    fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A delivery, the task that sent it and the count of the node that sent it.
#[derive(Debug)]
struct Entry {
    origin: Option<Arc<str>>,
    delivery: Delivery,
    failures: Option<FailureCount>,
}

/// One target's deliveries, shared by the outbox and the target's worker.
#[derive(Debug, Default)]
struct Queue {
    lane: Mutex<Lane>,
    ready: Condvar,
}

#[derive(Debug, Default)]
struct Lane {
    waiting: VecDeque<Arc<Entry>>,
    /// The deliveries the worker took and is attempting, in order.
    in_flight: Vec<Arc<Entry>>,
    /// The outbox is gone: the worker ends once the queue is empty.
    closed: bool,
    /// A delivery failed while the program was ending: the worker has ended, and what the
    /// queue holds is kept to be saved rather than attempted.
    held: bool,
    /// The worker waits for a delivery: the next one wakes it. A busy worker looks at the
    /// queue again by itself, so a delivery costs no wake-up call (a system call) then.
    idle: bool,
}

/// The most lines a worker joins into one write to a file.
const MOST_JOINED: usize = 256;

/// How long a worker that finds its queue empty waits unannounced (see [`Queue::take`]): a
/// delivery may wait this much longer, in exchange for none costing a wake-up while a stream
/// of them lasts.
const LINGER: Duration = Duration::from_millis(2);

impl Queue {
    fn lane(&self) -> MutexGuard<'_, Lane> {
        self.lane.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the next deliveries to attempt into `run`, waiting for one: the first waiting
    /// and those behind it that go out with it (lines for the same file, see [`joins`]).
    /// False once the outbox has stopped, or is gone and the queue is empty.
    fn take(&self, pending: &Pending, run: &mut Vec<Arc<Entry>>) -> bool {
        let mut lane = self.lane();
        let mut lingered = false;
        loop {
            if pending.is_stopped() {
                return false;
            }
            if let Some(first) = lane.waiting.pop_front() {
                run.push(first);
                while run.len() < MOST_JOINED
                    && let Some(next) = lane.waiting.front()
                    && joins(&run[0].delivery, &next.delivery)
                {
                    run.extend(lane.waiting.pop_front());
                }
                lane.in_flight.extend(run.iter().cloned());
                return true;
            }
            if lane.closed {
                return false;
            }
            // Alerts come in streams: a worker that finds its queue empty waits a moment
            // unannounced before it sleeps until woken, so a stream is taken in runs rather
            // than with a wake-up call per delivery.
            if !lingered {
                lingered = true;
                lane = self.ready.wait_timeout(lane, LINGER).map_or_else(|e| e.into_inner().0, |(lane, _)| lane);
                continue;
            }
            lane.idle = true;
            lane = self.ready.wait(lane).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The deliveries in flight are done with (delivered, or failed for good).
    fn finished(&self) {
        self.lane().in_flight.clear();
    }

    /// The deliveries in flight failed while the program was ending: they go back to the
    /// front of the queue, to be saved with what waits behind them, and nothing more is
    /// attempted. How many deliveries the queue keeps.
    fn hold(&self) -> usize {
        let mut lane = self.lane();
        let in_flight = std::mem::take(&mut lane.in_flight);
        for entry in in_flight.into_iter().rev() {
            lane.waiting.push_front(entry);
        }
        lane.held = true;
        lane.waiting.len()
    }

    /// Wakes the worker to look at the queue or the outbox's state again.
    fn wake(&self, change: impl FnOnce(&mut Lane)) {
        change(&mut self.lane());
        self.ready.notify_all();
    }

    /// The deliveries of `origin` still to be made, those in flight first.
    fn pending(&self, origin: &str) -> Vec<Delivery> {
        let lane = self.lane();
        lane.in_flight
            .iter()
            .chain(&lane.waiting)
            .filter(|entry| entry.origin.as_deref() == Some(origin))
            .map(|entry| entry.delivery.clone())
            .collect()
    }
}

/// Whether `next` can go out in one attempt with `first`: lines appended to the same file
/// make one write (a system call each would cost more than the rest of an alert).
fn joins(first: &Delivery, next: &Delivery) -> bool {
    matches!(
        (first, next),
        (Delivery::Append { path, mode, .. }, Delivery::Append { path: next_path, mode: next_mode, .. })
            if path == next_path && mode == next_mode
    )
}

/// Attempts `run` (see [`Queue::take`]) as one delivery.
fn deliver(sender: &mut Sender, run: &[Arc<Entry>], lines: &mut Vec<u8>) -> Result<(), DeliveryError> {
    let Some(first) = run.first() else { return Ok(()) };
    match &first.delivery {
        Delivery::Append { path, mode, .. } if run.len() > 1 => {
            lines.clear();
            for entry in run {
                if let Delivery::Append { line, .. } = &entry.delivery {
                    lines.extend_from_slice(line);
                }
            }
            sender.append_lines(path, *mode, lines)
        }
        delivery => sender.deliver(delivery),
    }
}

/// One target's worker: a thread that delivers its queue in order.
struct Worker {
    queue: Arc<Queue>,
    thread: JoinHandle<()>,
}

/// The outbox of a running task program.
pub struct ThreadedOutbox {
    /// By target, in a stable order so that what is pending lists the same way each time.
    workers: Mutex<BTreeMap<String, Worker>>,
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

    fn workers(&self) -> MutexGuard<'_, BTreeMap<String, Worker>> {
        self.workers.lock().unwrap_or_else(|e| e.into_inner())
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
        let queue = Arc::new(Queue::default());
        let inbox = Arc::clone(&queue);
        let pending = Arc::clone(&self.pending);
        let failures = Arc::clone(&self.failures);
        let mut sender = Sender::new(self.policy.clone(), Arc::clone(&self.pending));
        let name = format!("deliver {target}");
        let thread = std::thread::Builder::new()
            .name(name.chars().take(15).collect())
            .spawn(move || {
                let (mut run, mut lines) = (Vec::new(), Vec::new());
                while inbox.take(&pending, &mut run) {
                    match deliver(&mut sender, &run, &mut lines) {
                        Ok(()) => inbox.finished(),
                        // A failure while the program ends is not a failure for good: the
                        // target keeps it and what waits behind it, to be saved and sent after
                        // a restart, rather than trying again or going on to fail the rest.
                        Err(_) if pending.is_ending() => {
                            pending.finish(inbox.hold());
                            return;
                        }
                        Err(e) => {
                            inbox.finished();
                            for entry in &run {
                                failures.report(&e, entry.failures.as_ref());
                            }
                        }
                    }
                    pending.finish(run.len());
                    run.clear();
                }
            })?;
        Ok(Worker { queue, thread })
    }

    /// The queue of `target`'s worker, started on first use.
    fn queue(&self, target: &str) -> Result<Arc<Queue>, String> {
        let mut workers = self.workers();
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

    fn enqueue(&self, origin: Option<Arc<str>>, delivery: Delivery, failures: Option<&FailureCount>) {
        let target = Self::target(&delivery);
        let dropped = |message: String| DeliveryError {
            what: "a delivery",
            target: target.clone(),
            message,
        };
        let queue = match self.queue(&target) {
            Ok(queue) => queue,
            Err(message) => return self.failures.report(&dropped(message), failures),
        };
        let mut lane = queue.lane();
        if lane.waiting.len() >= self.policy.queue_capacity {
            drop(lane);
            let message = format!(
                "dropped: {} deliveries are already waiting",
                self.policy.queue_capacity
            );
            return self.failures.report(&dropped(message), failures);
        }
        // A held target attempts nothing more: what reaches it now is only kept.
        if !lane.held {
            self.pending.add();
        }
        let failures = failures.cloned();
        lane.waiting.push_back(Arc::new(Entry { origin, delivery, failures }));
        let wake = std::mem::take(&mut lane.idle);
        drop(lane);
        if wake {
            queue.ready.notify_one();
        }
    }

    /// The longest an attempt may take: the policy's timeout, or a longer one that a post in
    /// flight names.
    fn longest_attempt(&self) -> Duration {
        let queues: Vec<Arc<Queue>> = self.workers().values().map(|w| w.queue.clone()).collect();
        queues
            .iter()
            // Posts are never joined: one in flight is alone.
            .filter_map(|queue| match &queue.lane().in_flight.first()?.delivery {
                Delivery::Post(post) => post.timeout,
                _ => None,
            })
            .fold(self.policy.timeout, Duration::max)
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
        self.enqueue(None, delivery, None);
    }

    fn send_counted(&self, delivery: Delivery, failures: &FailureCount) {
        self.enqueue(None, delivery, Some(failures));
    }

    fn send_for(&self, origin: &Arc<str>, delivery: Delivery, failures: Option<&FailureCount>) {
        self.enqueue(Some(origin.clone()), delivery, failures);
    }

    fn flush(&self) {
        self.pending.wait_idle();
    }

    fn failures(&self) -> u64 {
        self.failures.count()
    }

    fn pending(&self, origin: &str) -> Vec<Delivery> {
        let queues: Vec<Arc<Queue>> = self.workers().values().map(|w| w.queue.clone()).collect();
        queues.iter().flat_map(|queue| queue.pending(origin)).collect()
    }

    fn stop(&self) {
        let grace = self.longest_attempt();
        self.pending.end();
        self.pending.wait_idle_for(grace);
        self.pending.stop();
        let mut left = 0;
        for worker in self.workers().values() {
            worker.queue.wake(|lane| left += lane.waiting.len() + lane.in_flight.len());
        }
        if left > 0 {
            eprintln!(
                "W! delivery ended with {left} deliveries not made (tasks served with a data directory keep theirs for the restart)"
            );
        }
    }
}

impl Drop for ThreadedOutbox {
    fn drop(&mut self) {
        let workers = std::mem::take(&mut *self.workers());
        let stopped = self.pending.is_stopped();
        for (_, worker) in workers {
            worker.queue.wake(|lane| lane.closed = true);
            // A stopped outbox has saved what is left; a worker still in an attempt ends with
            // the process rather than holding up the exit.
            if !stopped {
                let _ = worker.thread.join();
            }
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
    fn lines_for_one_file_are_taken_together_in_order() {
        let append = |path: &str, line: &str| Delivery::Append { path: path.into(), mode: 0o600, line: line.into() };
        let deliveries = [
            append("a", "1\n"),
            append("a", "2\n"),
            append("b", "3\n"),
            Delivery::Tcp { address: "h:1".into(), line: b"4\n".to_vec() },
            append("b", "5\n"),
            append("b", "6\n"),
            Delivery::Append { path: "b".into(), mode: 0o644, line: b"7\n".to_vec() },
        ];
        let queue = Queue::default();
        let entries = deliveries.map(|delivery| Arc::new(Entry { origin: None, delivery, failures: None }));
        queue.lane().waiting.extend(entries);
        let (pending, mut run, mut runs) = (Pending::default(), Vec::new(), Vec::new());
        while !queue.lane().waiting.is_empty() && queue.take(&pending, &mut run) {
            assert_eq!(queue.lane().in_flight.len(), run.len(), "what is taken is in flight");
            runs.push(run.len());
            queue.finished();
            run.clear();
        }
        assert_eq!(runs, [2, 1, 1, 2, 1]);
    }

    #[test]
    fn each_line_of_a_failed_write_is_a_failure_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = ThreadedOutbox::with_policy(quick(16, 0));
        let node = FailureCount::new();
        for i in 0..5 {
            // A directory cannot be opened to append to.
            let line = format!("{i}\n").into_bytes();
            outbox.send_counted(Delivery::Append { path: dir.path().to_owned(), mode: 0o600, line }, &node);
        }
        outbox.flush();
        assert_eq!((node.get(), outbox.failures()), (5, 5));
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
    fn a_failure_counts_against_the_node_that_sent_it() {
        let refused = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = refused.local_addr().unwrap().to_string();
        drop(refused);
        let dir = tempfile::tempdir().unwrap();
        let outbox = ThreadedOutbox::with_policy(quick(16, 0));
        let (failing, appending) = (FailureCount::new(), FailureCount::new());
        let line = || b"x\n".to_vec();
        outbox.send_counted(Delivery::Tcp { address: address.clone(), line: line() }, &failing);
        outbox.send_counted(Delivery::Tcp { address: address.clone(), line: line() }, &failing);
        outbox.send_counted(Delivery::Append { path: dir.path().join("log"), mode: 0o600, line: line() }, &appending);
        outbox.send(Delivery::Tcp { address, line: line() });
        outbox.flush();
        assert_eq!((failing.get(), appending.get()), (2, 0));
        assert_eq!(outbox.failures(), 3, "the total counts the anonymous one too");
    }

    #[test]
    fn a_full_queue_drops_count_against_the_node_that_sent_them() {
        let (url, _server) = hanging_server();
        let outbox = Arc::new(ThreadedOutbox::with_policy(quick(1, 0)));
        let task = super::super::TaskOutbox::new("cpu", outbox.clone());
        let node = FailureCount::new();
        for _ in 0..6 {
            task.send_counted(post(url.clone()), &node);
        }
        let dropped = node.get();
        assert!((4..=5).contains(&dropped), "{dropped} dropped");
        assert!(!outbox.pending("cpu").is_empty(), "what the node sent is the task's");
        outbox.flush();
        assert_eq!((node.get(), outbox.failures()), (6, 6), "the kept ones time out");
    }

    #[test]
    fn pending_lists_what_each_task_sent_until_it_is_delivered() {
        let (url, _server) = hanging_server();
        let dir = tempfile::tempdir().unwrap();
        let outbox = ThreadedOutbox::with_policy(quick(16, 0));
        let (cpu, mem): (Arc<str>, Arc<str>) = ("cpu".into(), "mem".into());
        let body = |text: &str| Delivery::Post(HttpPost { url: url.clone(), headers: Vec::new(), body: text.into(), timeout: None });
        for text in ["c1", "c2", "c3"] {
            outbox.send_for(&cpu, body(text), None);
        }
        outbox.send_for(&mem, body("m1"), None);
        outbox.send(body("anonymous"));
        let line = Delivery::Append { path: dir.path().join("log"), mode: 0o600, line: b"x\n".to_vec() };
        outbox.send_for(&cpu, line, None);
        let bodies = |origin: &str| -> Vec<String> {
            outbox.pending(origin).iter().filter_map(|d| match d {
                Delivery::Post(p) => Some(String::from_utf8_lossy(&p.body).into_owned()),
                _ => None,
            }).collect()
        };
        // The first post hangs in flight: it and those behind it are pending, in order.
        assert_eq!(bodies("cpu"), ["c1", "c2", "c3"]);
        assert_eq!(bodies("mem"), ["m1"]);
        assert!(bodies("disk").is_empty());
        // The line was appended: only the posts are left.
        let deadline = Instant::now() + Duration::from_secs(2);
        while outbox.pending("cpu").len() > 3 {
            assert!(Instant::now() < deadline, "the line was not appended");
            std::thread::sleep(Duration::from_millis(5));
        }
        // Once tried (and timed out), a delivery is no longer pending.
        outbox.flush();
        assert!(outbox.pending("cpu").is_empty() && outbox.pending("mem").is_empty());
    }

    #[test]
    fn stopping_keeps_what_is_left_pending_and_releases_flush() {
        let (url, _server) = hanging_server();
        let outbox = ThreadedOutbox::with_policy(quick(16, 0));
        let task: Arc<str> = "cpu".into();
        for _ in 0..3 {
            outbox.send_for(&task, post(url.clone()), None);
        }
        let started = Instant::now();
        // The attempt in flight gets its timeout (400 ms), fails, and its target keeps it.
        outbox.stop();
        outbox.flush();
        assert!(started.elapsed() < Duration::from_secs(2), "flush waited for a stopped outbox");
        assert_eq!(outbox.pending("cpu").len(), 3, "the one tried and the two waiting");
        assert_eq!(outbox.failures(), 0, "what fails while the program ends is kept, not failed");
        drop(outbox);
        assert!(started.elapsed() < Duration::from_secs(2), "dropping waited for the attempt in flight");
    }

    #[test]
    fn stopping_cuts_the_wait_before_a_retry_short() {
        let refused = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/down", refused.local_addr().unwrap());
        drop(refused);
        let outbox = ThreadedOutbox::with_policy(DeliveryPolicy { backoff: Duration::from_secs(30), ..quick(16, 3) });
        let task: Arc<str> = "cpu".into();
        outbox.send_for(&task, post(url), None);
        std::thread::sleep(Duration::from_millis(100));
        let started = Instant::now();
        outbox.stop();
        outbox.flush();
        assert_eq!(outbox.pending("cpu").len(), 1);
        drop(outbox);
        assert!(started.elapsed() < Duration::from_secs(5), "the retry wait held the stop up");
    }

    #[test]
    fn stopping_delivers_what_a_slow_endpoint_answers_within_the_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/slow", listener.local_addr().unwrap());
        // Each answer takes a third of the timeout: the two posts take longer together than
        // a fixed grace shorter than the timeout would give.
        let server = std::thread::spawn(move || {
            (0..2)
                .map(|_| {
                    std::thread::sleep(Duration::from_millis(400));
                    answer(&listener, "200 OK")
                })
                .collect::<Vec<bool>>()
        });
        let refused = TcpListener::bind("127.0.0.1:0").unwrap();
        let down = format!("http://{}/down", refused.local_addr().unwrap());
        drop(refused);
        // The post to the endpoint that is down is tried again only after a wait that the stop
        // cuts short.
        let policy = DeliveryPolicy { timeout: Duration::from_millis(1200), backoff: Duration::from_secs(30), ..quick(16, 3) };
        let outbox = ThreadedOutbox::with_policy(policy);
        let task: Arc<str> = "cpu".into();
        outbox.send_for(&task, post(url.clone()), None);
        outbox.send_for(&task, post(url), None);
        outbox.send_for(&task, post(down), None);
        outbox.stop();
        assert_eq!(server.join().unwrap(), [true, true]);
        let kept: Vec<Delivery> = outbox.pending("cpu");
        assert!(
            matches!(&kept[..], [Delivery::Post(p)] if p.url.ends_with("/down")),
            "only the post to the endpoint that is down is kept: {kept:?}"
        );
        assert_eq!(outbox.failures(), 0);
    }

    #[test]
    fn posts_share_a_worker_per_origin() {
        assert_eq!(origin("http://h:80/a/b?c"), "http://h:80");
        assert_eq!(origin("https://h"), "https://h");
        assert_eq!(origin("h/x"), "h");
    }
}
