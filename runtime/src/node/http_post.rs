//! `|httpPost(url)`: posts every point or batch as a Kapacitor result
//! (`{"series":[row]}`) and passes it on. Delivery is the outbox's job, so a slow endpoint does
//! not hold the pipeline; a value JSON cannot carry (NaN, ±Inf) means nothing is posted and
//! an error is counted, as in Kapacitor.

use std::sync::Arc;
use std::time::Duration;

use super::Node;
use crate::delivery::{Delivery, FailureCount, HttpPost, Outbox};
use crate::output::row::write_result;
use crate::point::Message;

/// What a script sets on `|httpPost()` (a named `.endpoint()` arrives resolved to its URL and
/// headers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpPostConfig {
    pub url: String,
    /// `.header(name, value)` calls, in order.
    pub headers: Vec<(String, String)>,
    pub timeout: Option<Duration>,
}

/// `|httpPost()`.
pub struct HttpPostNode {
    url: String,
    /// The request headers: `Content-Type: application/json`, then the script's (which
    /// replace a header of the same name, as Go's `Header.Set` does).
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
    outbox: Arc<dyn Outbox>,
    errors: u64,
    /// Posts that failed for good or were dropped, counted by the outbox.
    failures: FailureCount,
}

impl std::fmt::Debug for HttpPostNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpPostNode")
            .field("url", &self.url)
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

impl HttpPostNode {
    pub fn new(config: HttpPostConfig, outbox: Arc<dyn Outbox>) -> Self {
        let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        for (name, value) in config.headers {
            headers.retain(|(existing, _)| !existing.eq_ignore_ascii_case(&name));
            headers.push((name, value));
        }
        HttpPostNode {
            url: config.url,
            headers,
            timeout: config.timeout,
            outbox,
            errors: 0,
            failures: FailureCount::new(),
        }
    }
}

impl Node for HttpPostNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        // Kapacitor posts data only, and passes everything on.
        if !msg.is_data() {
            out.push(msg);
            return;
        }
        let mut body = String::with_capacity(256);
        match write_result(&mut body, &msg) {
            Ok(()) => {
                // Go's JSON encoder ends what it writes with a newline.
                body.push('\n');
                let post = HttpPost {
                    url: self.url.clone(),
                    headers: self.headers.clone(),
                    body: body.into_bytes(),
                    timeout: self.timeout,
                };
                self.outbox.send_counted(Delivery::Post(post), &self.failures);
            }
            Err(_) => self.errors += 1,
        }
        out.push(msg);
    }

    fn errors(&self) -> u64 {
        self.errors
    }

    fn handler_failures(&self) -> Option<u64> {
        Some(self.failures.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::RecordingOutbox;
    use crate::node::testing::{point, run};

    #[test]
    fn posts_each_point_and_passes_it_on() {
        let outbox = Arc::new(RecordingOutbox::new());
        let mut node = HttpPostNode::new(
            HttpPostConfig {
                url: "http://sink/m".into(),
                headers: vec![
                    ("content-type".into(), "text/plain".into()),
                    ("X-Token".into(), "t".into()),
                ],
                timeout: Some(Duration::from_secs(2)),
            },
            outbox.clone(),
        );
        let out = run(
            &mut node,
            [point(
                "m",
                &[("host", "a")],
                &[("v", 1.5)],
                1_700_000_000_000_000_000,
            )],
        );
        assert_eq!(out.len(), 1);
        let sent = outbox.take();
        let [Delivery::Post(post)] = sent.as_slice() else {
            panic!("expected one post, got {sent:?}");
        };
        assert_eq!(post.url, "http://sink/m");
        assert_eq!(
            post.headers,
            [
                ("content-type".to_owned(), "text/plain".to_owned()),
                ("X-Token".to_owned(), "t".to_owned())
            ]
        );
        assert_eq!(post.timeout, Some(Duration::from_secs(2)));
        assert_eq!(
            String::from_utf8_lossy(&post.body),
            "{\"series\":[{\"name\":\"m\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"v\"],\"values\":[[\"2023-11-14T22:13:20Z\",1.5]]}]}\n"
        );
    }

    #[test]
    fn nan_is_not_posted_but_passes_on() {
        let outbox = Arc::new(RecordingOutbox::new());
        let mut node = HttpPostNode::new(HttpPostConfig::default(), outbox.clone());
        let out = run(&mut node, [point("m", &[], &[("v", f64::INFINITY)], 0)]);
        assert_eq!(out.len(), 1);
        assert!(outbox.take().is_empty());
        assert_eq!(node.errors(), 1);
    }

    #[test]
    fn posts_that_fail_count_in_the_node() {
        use crate::delivery::DeliveryPolicy;
        use crate::delivery::threaded::ThreadedOutbox;
        let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/down", refused.local_addr().unwrap());
        drop(refused);
        let policy = DeliveryPolicy { retries: 0, ..DeliveryPolicy::default() };
        let outbox = Arc::new(ThreadedOutbox::with_policy(policy));
        let config = HttpPostConfig { url, ..HttpPostConfig::default() };
        let mut node = HttpPostNode::new(config, outbox.clone());
        assert_eq!(node.handler_failures(), Some(0));
        run(&mut node, [point("m", &[], &[("v", 1.0)], 0), point("m", &[], &[("v", 2.0)], 1)]);
        outbox.flush();
        assert_eq!(node.handler_failures(), Some(2));
    }
}
