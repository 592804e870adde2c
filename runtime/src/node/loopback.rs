//! `|kapacitorLoopback()`: writes every point (and every point of a batch) back into the
//! program's own stream, to the node's database and retention policy, with its measurement
//! (or the data's) and its `.tag()`s over the data's. As in Kapacitor, a task may not loop
//! back into a database and retention policy it reads itself (it would feed itself forever).

use std::sync::Arc;

use super::Node;
use crate::loopback::Loopback;
use crate::point::{Dimensions, Fields, GroupKey, Message, Point, Tags, Time};
use crate::task::Dbrp;

/// What a script sets on `|kapacitorLoopback()`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoopbackConfig {
    pub database: String,
    pub retention_policy: String,
    /// Empty: the data's.
    pub measurement: String,
    /// `.tag(key, value)` calls, in order.
    pub tags: Vec<(String, String)>,
}

/// `|kapacitorLoopback()`.
pub struct LoopbackNode {
    database: String,
    retention_policy: String,
    measurement: String,
    tags: Tags,
    loopback: Arc<dyn Loopback>,
}

impl std::fmt::Debug for LoopbackNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackNode")
            .field("database", &self.database)
            .field("retention_policy", &self.retention_policy)
            .finish_non_exhaustive()
    }
}

impl LoopbackNode {
    /// The node of a task reading `dbrps`, writing into `loopback` (what the driver offers in
    /// the task's context); an error when there is none, or when it would loop on itself.
    pub fn start(
        config: LoopbackConfig,
        dbrps: &[Dbrp],
        loopback: Option<Arc<dyn Loopback>>,
    ) -> Result<LoopbackNode, String> {
        if dbrps
            .iter()
            .any(|d| d.database == config.database && d.retention_policy == config.retention_policy)
        {
            return Err(format!(
                "loop detected on dbrp \"{}\".\"{}\": the task reads what it loops back",
                config.database, config.retention_policy
            ));
        }
        let loopback = loopback.ok_or("this program offers no loopback to write into")?;
        Ok(LoopbackNode {
            database: config.database,
            retention_policy: config.retention_policy,
            measurement: config.measurement,
            tags: config.tags.into_iter().collect(),
            loopback,
        })
    }

    /// A fresh point of the stream (ungrouped: the tasks that read it group it their way),
    /// renamed and retagged.
    fn looped(&self, name: &str, mut tags: Tags, fields: Fields, time: Time) -> Point {
        for (key, value) in self.tags.iter() {
            tags.insert(key.to_owned(), value.to_owned());
        }
        let name = if self.measurement.is_empty() { name } else { &self.measurement };
        Point {
            database: self.database.as_str().into(),
            retention_policy: self.retention_policy.as_str().into(),
            name: name.into(),
            tags,
            fields,
            time,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }
}

impl Node for LoopbackNode {
    fn push(&mut self, msg: Message, _out: &mut Vec<Message>) {
        match msg {
            Message::Point(p) => self.loopback.write(self.looped(&p.name, p.tags, p.fields, p.time)),
            Message::Batch(b) => {
                for p in b.points {
                    self.loopback.write(self.looped(&b.name, p.tags, p.fields, p.time));
                }
            }
            Message::Barrier { .. } | Message::DeleteGroup { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loopback::LoopbackQueue;
    use crate::node::testing::{batch, batch_point, point, run};

    fn config() -> LoopbackConfig {
        LoopbackConfig {
            database: "derived".into(),
            retention_policy: "autogen".into(),
            measurement: String::new(),
            tags: vec![("origin".into(), "loop".into())],
        }
    }

    fn taken(queue: &LoopbackQueue) -> Vec<String> {
        std::iter::from_fn(|| queue.take())
            .map(|p| format!("{}.{} {} {:?} {:?} {}", p.database, p.retention_policy, p.name, p.tags, p.fields, p.time))
            .collect()
    }

    #[test]
    fn points_and_batch_points_go_back_retargeted() {
        let queue = Arc::new(LoopbackQueue::new(100));
        let mut node = LoopbackNode::start(config(), &[], Some(queue.clone())).unwrap();
        let out = run(
            &mut node,
            [
                Message::Point(point("cpu", &[("host", "a"), ("origin", "x")], &[("v", 1.0)], 10)),
                Message::Batch(batch("mem", &[], vec![batch_point(&[("host", "b")], &[("v", 2.0)], 20)])),
            ],
        );
        assert!(out.is_empty(), "kapacitorLoopback is terminal");
        insta::assert_snapshot!(taken(&queue).join("\n"), @r#"
derived.autogen cpu {"host": "a", "origin": "loop"} {"v": Float(1.0)} 10
derived.autogen mem {"host": "b", "origin": "loop"} {"v": Float(2.0)} 20
"#);
    }

    #[test]
    fn a_measurement_renames() {
        let queue = Arc::new(LoopbackQueue::new(100));
        let named = LoopbackConfig { measurement: "renamed".into(), ..config() };
        let mut node = LoopbackNode::start(named, &[], Some(queue.clone())).unwrap();
        run(&mut node, [Message::Point(point("cpu", &[], &[("v", 1.0)], 10))]);
        assert!(taken(&queue)[0].contains(" renamed "));
    }

    #[test]
    fn a_loop_on_the_tasks_own_dbrp_or_no_loopback_cannot_start() {
        let own = [Dbrp { database: "derived", retention_policy: "autogen" }];
        let queue: Arc<dyn Loopback> = Arc::new(LoopbackQueue::new(1));
        insta::assert_snapshot!(LoopbackNode::start(config(), &own, Some(queue)).unwrap_err(), @r#"loop detected on dbrp "derived"."autogen": the task reads what it loops back"#);
        insta::assert_snapshot!(LoopbackNode::start(config(), &[], None).unwrap_err(), @"this program offers no loopback to write into");
    }
}
