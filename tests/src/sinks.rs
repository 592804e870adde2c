//! The HTTP and TCP sinks a conformance run records deliveries with: every POST as
//! `{"path", "body"}`, every TCP line as it came.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

#[derive(Debug, Default, Clone)]
pub struct Recorded(Arc<Mutex<Vec<String>>>);

impl Recorded {
    fn push(&self, line: String) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }

    /// Everything recorded since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// [`Recorded::take`] once at least `count` lines are in, or after `patience`: a sender that
    /// wrote a TCP line and exited is done before the sink's thread has read it.
    pub fn take_when(&self, count: usize, patience: std::time::Duration) -> Vec<String> {
        let deadline = std::time::Instant::now() + patience;
        while self.0.lock().unwrap_or_else(|e| e.into_inner()).len() < count && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        self.take()
    }
}

/// Reads one HTTP/1.1 request; `None` at the end of the connection.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, String, Vec<u8>)> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).ok()? == 0 {
        return None;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        if header == "\r\n" || header == "\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((method, path, body))
}

fn serve_http(stream: TcpStream, posts: Recorded) {
    let Ok(write_half) = stream.try_clone() else { return };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    while let Some((method, path, body)) = read_request(&mut reader) {
        if method == "POST" {
            let body: Value = serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
            posts.push(json!({"path": path, "body": body}).to_string());
        }
        if writer.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").is_err() {
            return;
        }
    }
}

fn serve_tcp(stream: TcpStream, lines: Recorded) {
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { return };
        if !line.trim().is_empty() {
            lines.push(line);
        }
    }
}

/// Starts a sink on `addr`, handling each connection on its own thread.
fn start(addr: &str, handle: fn(TcpStream, Recorded)) -> std::io::Result<Recorded> {
    let listener = TcpListener::bind(addr)?;
    let recorded = Recorded::default();
    let for_thread = recorded.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let recorded = for_thread.clone();
            std::thread::spawn(move || handle(stream, recorded));
        }
    });
    Ok(recorded)
}

pub fn start_http(addr: &str) -> std::io::Result<Recorded> {
    start(addr, serve_http)
}

pub fn start_tcp(addr: &str) -> std::io::Result<Recorded> {
    start(addr, serve_tcp)
}
