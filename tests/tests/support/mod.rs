//! What the load and restart tests share: an HTTP endpoint that records what tasks post to it
//! (optionally answering slowly), and writers that post line protocol continuously, keeping
//! what the server accepted.

#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tickc_tests::serving::try_post;

/// An HTTP endpoint recording every POST body, each answered 200 after `delay`.
pub struct Sink {
    pub address: SocketAddr,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Sink {
    /// A sink on a free loopback port.
    pub fn start(delay: Duration) -> Sink {
        Sink::on(TcpListener::bind("127.0.0.1:0").unwrap(), delay)
    }

    /// A sink on `listener`.
    pub fn on(listener: TcpListener, delay: Duration) -> Sink {
        let address = listener.local_addr().unwrap();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let recorded = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let recorded = recorded.clone();
                std::thread::spawn(move || serve(stream, &recorded, delay));
            }
        });
        Sink { address, bodies }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Every body posted so far.
    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn serve(stream: TcpStream, bodies: &Mutex<Vec<String>>, delay: Duration) {
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        std::thread::sleep(delay);
        bodies.lock().unwrap_or_else(|e| e.into_inner()).push(String::from_utf8_lossy(&body).into_owned());
        if writer.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").is_err() {
            return;
        }
    }
}

/// One accepted write.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The sequence numbers the body carried.
    pub first: u64,
    pub count: u64,
    /// When the 204 came, and how long the write took (its last try).
    pub at: Instant,
    pub latency: Duration,
}

/// A thread posting bodies of `per_write` sequence numbers (each rendered by `lines`) to the
/// server at the address it is given, until stopped; a write that is refused or finds no server
/// is tried again until it is accepted.
pub struct Writer {
    address: Arc<Mutex<SocketAddr>>,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Accepted>>,
}

impl Writer {
    pub fn start(
        address: SocketAddr,
        path: &'static str,
        per_write: u64,
        pause: Duration,
        lines: impl Fn(u64) -> String + Send + 'static,
    ) -> Writer {
        let shared = Arc::new(Mutex::new(address));
        let stop = Arc::new(AtomicBool::new(false));
        let (target, stopping) = (shared.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut accepted = Vec::new();
            let mut next = 0;
            while !stopping.load(Ordering::Relaxed) {
                let body: String = (next..next + per_write).map(&lines).collect();
                let started = Instant::now();
                let address = *target.lock().unwrap_or_else(|e| e.into_inner());
                match try_post(address, path, &body) {
                    Ok(204) => {
                        accepted.push(Accepted { first: next, count: per_write, at: Instant::now(), latency: started.elapsed() });
                        next += per_write;
                        std::thread::sleep(pause);
                    }
                    Ok(status) if status != 0 => panic!("a write was refused with {status}"),
                    // No server, or no answer: try the same body again.
                    _ => std::thread::sleep(Duration::from_millis(20)),
                }
            }
            accepted
        });
        Writer { address: shared, stop, thread }
    }

    /// Writes go to `address` from now on (the server restarted on another port).
    pub fn redirect(&self, address: SocketAddr) {
        *self.address.lock().unwrap_or_else(|e| e.into_inner()) = address;
    }

    /// Stops after the write in progress is accepted; what was accepted, in order.
    pub fn stop(self) -> Vec<Accepted> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// The program's peak resident memory (VmHWM), in bytes.
pub fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib * 1024
}

/// GETs `path` over a plain HTTP/1.1 connection; the body as JSON (null if it is not).
pub fn get_json(address: SocketAddr, path: &str) -> serde_json::Value {
    let mut stream = TcpStream::connect(address).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).unwrap_or_default()
}
