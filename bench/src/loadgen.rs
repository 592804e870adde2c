//! The load generator: request bodies posted to `/write` over a number of keep-alive
//! connections, each taking the next body in file order as soon as its last post is answered.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hyper::body::Bytes;

use crate::bodies::count_lines;
use crate::http::Connection;

/// Where and how to post.
#[derive(Debug, Clone)]
pub struct Target {
    pub address: SocketAddr,
    pub database: String,
    pub retention_policy: String,
    pub connections: usize,
}

impl Target {
    /// The write path, timestamps in nanoseconds as the bench data has them.
    pub fn write_path(&self) -> String {
        format!("/write?db={}&rp={}&precision=ns", self.database, self.retention_policy)
    }
}

/// What a load run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Lines in the bodies the server accepted (answered 204).
    pub points: u64,
    pub bodies: u64,
    /// Posts that got no answer or an answer other than 204.
    pub failed: u64,
    pub elapsed: Duration,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seconds = self.elapsed.as_secs_f64();
        let rate = if seconds > 0.0 { self.points as f64 / seconds } else { 0.0 };
        write!(
            f,
            "{} points in {} bodies, {} failed, {seconds:.3} s ({rate:.0} points/s)",
            self.points, self.bodies, self.failed
        )
    }
}

/// Posts every body once, spread over `target.connections` connections (at least one).
pub async fn post_all(target: &Target, bodies: Arc<[Bytes]>) -> Report {
    let next = Arc::new(AtomicUsize::new(0));
    let path: Arc<str> = target.write_path().into();
    let started = Instant::now();
    let workers: Vec<_> = (0..target.connections.max(1))
        .map(|_| tokio::spawn(post_from_queue(target.address, path.clone(), bodies.clone(), next.clone())))
        .collect();
    let mut report = Report::default();
    for worker in workers {
        match worker.await {
            Ok(part) => {
                report.points += part.points;
                report.bodies += part.bodies;
                report.failed += part.failed;
            }
            Err(e) => {
                eprintln!("error: a connection's worker ended abnormally: {e}");
                report.failed += 1;
            }
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// One connection's share: bodies taken from the shared queue until it is empty. A failed
/// connection is opened again for the next body.
async fn post_from_queue(address: SocketAddr, path: Arc<str>, bodies: Arc<[Bytes]>, next: Arc<AtomicUsize>) -> Report {
    let mut report = Report::default();
    let mut connection: Option<Connection> = None;
    while let Some(body) = bodies.get(next.fetch_add(1, Ordering::Relaxed)) {
        report.bodies += 1;
        let open = match connection.take() {
            Some(open) => Ok(open),
            None => Connection::open(address).await,
        };
        let outcome = match open {
            Ok(mut open) => {
                let answer = open.post(&path, body.clone()).await;
                connection = Some(open);
                answer
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok((status, _)) if status == hyper::StatusCode::NO_CONTENT => report.points += count_lines(body),
            Ok((status, answer)) => {
                report.failed += 1;
                let excerpt = String::from_utf8_lossy(answer.get(..200).unwrap_or(&answer)).into_owned();
                eprintln!("error: POST {path}: {status}: {excerpt}");
            }
            Err(e) => {
                report.failed += 1;
                connection = None;
                eprintln!("error: POST {path}: {e}");
            }
        }
    }
    report
}
