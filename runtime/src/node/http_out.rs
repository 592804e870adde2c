//! `|httpOut(endpoint)`: keeps the latest point or batch of every group for the task's HTTP
//! API (`GET /kapacitor/v1/tasks/<task>/<endpoint>`), and passes the data on.
//!
//! The API reads the result from another thread through an [`HttpOutResult`] handle, found by
//! endpoint name in the task's [`HttpOutEndpoints`]; rows are encoded when they arrive, so a
//! read only joins strings. A delete-group takes the group's row out of the result, as in
//! Kapacitor.

use std::sync::{Arc, Mutex, MutexGuard};

use super::Node;
use crate::json::UnsupportedFloat;
use crate::output::row::{write_batch_row, write_point_row};
use crate::point::{GroupKey, GroupMap, Message};

/// One group's latest data as a JSON row.
type Row = Result<String, UnsupportedFloat>;

/// Each group's latest row, in order of the groups' first data.
#[derive(Debug, Default)]
struct Rows {
    /// `None` where a deleted group's row was, until [`HttpOutNode::compact`] closes the gaps
    /// (removing in place would shift every later row, a cost per deletion linear in groups).
    slots: Vec<Option<Row>>,
    gaps: usize,
    /// Whether any row was ever written: Kapacitor serves `null` before, and `[]` once every
    /// group is deleted.
    started: bool,
}

/// A reader of an httpOut node's current result.
#[derive(Debug, Clone, Default)]
pub struct HttpOutResult {
    rows: Arc<Mutex<Rows>>,
}

impl HttpOutResult {
    fn lock(&self) -> MutexGuard<'_, Rows> {
        self.rows.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The result as Kapacitor serves it: `{"series":[row...]}`, `{"series":null}` before any
    /// data. A row holding a NaN or infinite value fails the whole result, as in Kapacitor
    /// (its API then answers 500 with the error).
    pub fn current(&self) -> Result<String, UnsupportedFloat> {
        let rows = self.lock();
        if !rows.started {
            return Ok(r#"{"series":null}"#.to_owned());
        }
        let mut json = String::from(r#"{"series":["#);
        for (i, row) in rows.slots.iter().flatten().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(row.as_ref().map_err(|e| *e)?);
        }
        json.push_str("]}");
        Ok(json)
    }
}

/// The httpOut results of one running task, by endpoint name: each httpOut node registers its
/// result when the pipeline is built, and the HTTP API looks results up here.
#[derive(Debug, Clone, Default)]
pub struct HttpOutEndpoints {
    results: Arc<Mutex<Vec<(String, HttpOutResult)>>>,
}

impl HttpOutEndpoints {
    fn lock(&self) -> MutexGuard<'_, Vec<(String, HttpOutResult)>> {
        self.results.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Publishes `result` under `endpoint`; a later node with the same endpoint replaces an
    /// earlier one.
    pub fn register(&self, endpoint: &str, result: HttpOutResult) {
        let mut results = self.lock();
        match results.iter_mut().find(|(name, _)| name == endpoint) {
            Some((_, slot)) => *slot = result,
            None => results.push((endpoint.to_owned(), result)),
        }
    }

    /// The result published under `endpoint`.
    pub fn get(&self, endpoint: &str) -> Option<HttpOutResult> {
        self.lock()
            .iter()
            .find(|(name, _)| name == endpoint)
            .map(|(_, result)| result.clone())
    }
}

/// `|httpOut()`.
#[derive(Debug, Default)]
pub struct HttpOutNode {
    /// Each group's position in the result.
    positions: GroupMap<usize>,
    result: HttpOutResult,
}

impl HttpOutNode {
    pub fn new() -> Self {
        Self::default()
    }

    /// A node whose result the task's HTTP API serves at `endpoint`.
    pub fn registered(endpoints: &HttpOutEndpoints, endpoint: &str) -> Self {
        let node = Self::new();
        endpoints.register(endpoint, node.result());
        node
    }

    /// A handle on the result, for the HTTP API.
    pub fn result(&self) -> HttpOutResult {
        self.result.clone()
    }

    /// The current result (see [`HttpOutResult::current`]).
    pub fn current(&self) -> Result<String, UnsupportedFloat> {
        self.result.current()
    }
}

impl HttpOutNode {
    fn delete_group(&mut self, group: &GroupKey) {
        let Some(position) = self.positions.remove(group) else {
            return;
        };
        let mut rows = self.result.lock();
        if let Some(slot) = rows.slots.get_mut(position) {
            *slot = None;
            rows.gaps += 1;
        }
        if rows.gaps * 2 > rows.slots.len() {
            Self::compact(&mut rows, &mut self.positions);
        }
    }

    /// Closes the gaps deleted groups left, moving every group to its new position; run when
    /// gaps are half the slots, so its cost spreads over the deletions that made them.
    fn compact(rows: &mut Rows, positions: &mut GroupMap<usize>) {
        let mut moved_to = Vec::with_capacity(rows.slots.len());
        let mut next = 0;
        for slot in &rows.slots {
            moved_to.push(next);
            next += usize::from(slot.is_some());
        }
        for position in positions.values_mut() {
            if let Some(&to) = moved_to.get(*position) {
                *position = to;
            }
        }
        rows.slots.retain(Option::is_some);
        rows.gaps = 0;
    }
}

impl Node for HttpOutNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        let mut row = String::with_capacity(256);
        let (encoded, group) = match &msg {
            Message::Point(p) => (write_point_row(&mut row, p), &p.group),
            Message::Batch(b) => (write_batch_row(&mut row, b), &b.group),
            Message::DeleteGroup { group } => {
                self.delete_group(group);
                out.push(msg);
                return;
            }
            Message::Barrier { .. } => {
                out.push(msg);
                return;
            }
        };
        let row = encoded.map(|()| row);
        let mut rows = self.result.lock();
        rows.started = true;
        match self.positions.get(group) {
            Some(&position) => {
                if let Some(slot) = rows.slots.get_mut(position) {
                    *slot = Some(row);
                }
            }
            None => {
                self.positions.insert(group.clone(), rows.slots.len());
                rows.slots.push(Some(row));
            }
        }
        drop(rows);
        out.push(msg);
    }

    fn groups(&self) -> usize {
        self.positions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{point, run};

    fn grouped(host: &str, v: f64, t: i64) -> crate::point::Point {
        let mut p = point("m", &[("host", host)], &[("v", v)], t);
        p.group = GroupKey(format!("host={host}").into());
        p
    }

    #[test]
    fn keeps_the_latest_row_of_each_group_in_first_seen_order() {
        let mut node = HttpOutNode::new();
        let reader = node.result();
        assert_eq!(reader.current().unwrap(), r#"{"series":null}"#);
        let out = run(
            &mut node,
            [
                grouped("b", 1.0, 0),
                grouped("a", 2.0, 0),
                grouped("b", 3.0, 1_000_000_000),
            ],
        );
        assert_eq!(out.len(), 3);
        assert_eq!(
            reader.current().unwrap(),
            r#"{"series":[{"name":"m","tags":{"host":"b"},"columns":["time","v"],"values":[["1970-01-01T00:00:01Z",3]]},{"name":"m","tags":{"host":"a"},"columns":["time","v"],"values":[["1970-01-01T00:00:00Z",2]]}]}"#
        );
    }

    #[test]
    fn a_registered_node_is_found_by_its_endpoint() {
        let endpoints = HttpOutEndpoints::default();
        let mut node = HttpOutNode::registered(&endpoints, "top");
        assert!(endpoints.get("nope").is_none());
        run(&mut node, [grouped("a", 1.0, 0)]);
        let served = endpoints.get("top").unwrap().current().unwrap();
        assert!(served.contains(r#""host":"a""#), "{served}");
        // The same endpoint again: the later node's result is served.
        let _later = HttpOutNode::registered(&endpoints, "top");
        assert_eq!(endpoints.get("top").unwrap().current().unwrap(), r#"{"series":null}"#);
    }

    #[test]
    fn a_deleted_group_leaves_the_result_and_the_others_keep_their_order() {
        let mut node = HttpOutNode::new();
        let reader = node.result();
        let delete = |host: &str| Message::DeleteGroup {
            group: GroupKey(format!("host={host}").into()),
        };
        let hosts = |json: String| -> Vec<String> {
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            v["series"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["tags"]["host"].as_str().unwrap().to_owned())
                .collect()
        };
        let mut out = Vec::new();
        for h in ["a", "b", "c", "d"] {
            node.push(Message::Point(grouped(h, 1.0, 0)), &mut out);
        }
        node.push(delete("b"), &mut out);
        assert_eq!(hosts(reader.current().unwrap()), ["a", "c", "d"]);
        // Three gaps of four slots: the slots are compacted, positions follow.
        node.push(delete("a"), &mut out);
        node.push(delete("d"), &mut out);
        node.push(Message::Point(grouped("c", 2.0, 0)), &mut out);
        node.push(Message::Point(grouped("e", 2.0, 0)), &mut out);
        assert_eq!(hosts(reader.current().unwrap()), ["c", "e"]);
        node.push(delete("c"), &mut out);
        node.push(delete("e"), &mut out);
        node.push(delete("never"), &mut out);
        assert_eq!(reader.current().unwrap(), r#"{"series":[]}"#);
        assert_eq!(out.len(), 12, "everything is passed on");
    }

    #[test]
    fn a_nan_row_fails_the_result_until_replaced() {
        let mut node = HttpOutNode::new();
        run(&mut node, [grouped("a", f64::NAN, 0)]);
        assert!(node.current().is_err());
        run(&mut node, [grouped("a", 1.0, 0)]);
        assert!(node.current().is_ok());
    }
}
