//! A join set: what each parent sent for one group at one (rounded) time, and how it becomes
//! the joined point or batch.
//!
//! The joined message takes its name from `.streamName()` or else from the set's first member
//! (the lowest parent that sent one), that member's dimensions and group tags (and only those),
//! and the set's time. Every member's fields are renamed `<as><delimiter><field>`. A parent
//! missing from the set makes an inner join drop the point; a fill gives that parent's prefix
//! the present fields' names: with a number fill they take the number, with a null fill they are
//! left out (the point model holds no null).

use super::{JoinConfig, JoinFill, prefixed};
use crate::node::go_time::round;
use crate::node::group::{group_key, group_tags};
use crate::point::{Batch, BatchPoint, Dimensions, Fields, Message, Point, Str, Time};

#[derive(Debug)]
pub(super) struct JoinSet {
    time: Time,
    values: Vec<Option<Message>>,
}

/// A set whose members are points and batches mixed: it cannot be joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct MixedKinds;

impl JoinSet {
    pub(super) fn new(time: Time, parents: usize) -> Self {
        JoinSet {
            time,
            values: vec![None; parents],
        }
    }

    pub(super) fn has(&self, parent: usize) -> bool {
        self.values.get(parent).is_some_and(Option::is_some)
    }

    pub(super) fn set(&mut self, parent: usize, msg: Message) {
        if let Some(value) = self.values.get_mut(parent) {
            *value = Some(msg);
        }
    }

    /// Whether every parent has sent its member.
    pub(super) fn is_ready(&self) -> bool {
        self.values.iter().all(Option::is_some)
    }

    /// The joined message; `None` when an inner join misses a member.
    pub(super) fn join(self, config: &JoinConfig) -> Result<Option<Message>, MixedKinds> {
        let Some(first) = self.values.iter().flatten().next() else {
            return Ok(None);
        };
        match first {
            Message::Point(_) => {
                let mut points = Vec::with_capacity(self.values.len());
                for value in self.values {
                    points.push(match value {
                        None => None,
                        Some(Message::Point(p)) => Some(p),
                        Some(_) => return Err(MixedKinds),
                    });
                }
                Ok(join_points(config, self.time, points).map(Message::Point))
            }
            Message::Batch(_) => {
                let mut batches = Vec::with_capacity(self.values.len());
                for value in self.values {
                    batches.push(match value {
                        None => None,
                        Some(Message::Batch(b)) => Some(b),
                        Some(_) => return Err(MixedKinds),
                    });
                }
                Ok(join_batches(config, self.time, batches).map(Message::Batch))
            }
            // The join routes data only (see `JoinNode::push_from`).
            Message::Barrier { .. } | Message::DeleteGroup { .. } => Ok(None),
        }
    }
}

/// Adds `fields` under `prefix`.
fn add_prefixed(joined: &mut Fields, config: &JoinConfig, prefix: &str, fields: &Fields) {
    for (name, value) in fields {
        joined.insert(prefixed(prefix, &config.delimiter, name), value.clone());
    }
}

/// Fills the fields of a missing member named like `names`; `false` for an inner join.
fn add_filled<'a>(
    joined: &mut Fields,
    config: &JoinConfig,
    prefix: &str,
    names: impl Iterator<Item = &'a str>,
) -> bool {
    match &config.fill {
        JoinFill::None => false,
        JoinFill::Null => true,
        JoinFill::Value(value) => {
            for name in names {
                joined.insert(prefixed(prefix, &config.delimiter, name), value.clone());
            }
            true
        }
    }
}

fn join_points(config: &JoinConfig, time: Time, points: Vec<Option<Point>>) -> Option<Point> {
    let first = points.iter().flatten().next()?;
    let mut fields = Fields::with_capacity(points.len() * first.fields.len());
    for (prefix, point) in config.names.iter().zip(&points) {
        match point {
            Some(p) => add_prefixed(&mut fields, config, prefix, &p.fields),
            None => {
                if !add_filled(&mut fields, config, prefix, first.fields.keys()) {
                    return None;
                }
            }
        }
    }
    let name = config
        .stream_name
        .as_deref()
        .map_or_else(|| first.name.clone(), Str::from);
    let tags = group_tags(&first.tags, &first.dimensions);
    let dimensions = first.dimensions.clone();
    Some(Point {
        database: Default::default(),
        retention_policy: Default::default(),
        group: group_key(&name, &tags, &dimensions),
        name,
        tags,
        fields,
        time,
        dimensions,
    })
}

/// Joins batches point by point: repeatedly the members' next points at the earliest (rounded)
/// time are joined into one point at that time.
fn join_batches(config: &JoinConfig, time: Time, batches: Vec<Option<Batch>>) -> Option<Batch> {
    let first = batches.iter().flatten().next()?;
    let name = config
        .stream_name
        .as_deref()
        .map_or_else(|| first.name.clone(), Str::from);
    let tags = first.tags.clone();
    let dimensions = Dimensions {
        by_measurement: first.dimensions.by_measurement,
        tag_names: tags.entries().map(|(k, _)| k.clone()).collect(),
    };
    // A fill names the missing fields after the first point of the first non-empty member.
    let fill_names: Vec<String> = batches
        .iter()
        .flatten()
        .find_map(|b| b.points.first())
        .map(|p| p.fields.keys().map(str::to_owned).collect())
        .unwrap_or_default();

    let mut members: Vec<std::vec::IntoIter<BatchPoint>> = batches
        .into_iter()
        .map(|b| b.map(|b| b.points).unwrap_or_default().into_iter())
        .collect();
    let mut heads: Vec<Option<BatchPoint>> = members.iter_mut().map(Iterator::next).collect();
    let mut points = Vec::new();
    loop {
        let rounded = |p: &BatchPoint| round(p.time, config.tolerance);
        let Some(set_time) = heads.iter().flatten().map(rounded).min() else {
            break;
        };
        let mut fields = Fields::new();
        let mut complete = true;
        for ((prefix, head), member) in config.names.iter().zip(&mut heads).zip(&mut members) {
            match head.take_if(|p| rounded(p) == set_time) {
                Some(point) => {
                    add_prefixed(&mut fields, config, prefix, &point.fields);
                    *head = member.next();
                }
                None => {
                    complete &= add_filled(
                        &mut fields,
                        config,
                        prefix,
                        fill_names.iter().map(String::as_str),
                    );
                }
            }
        }
        if complete {
            points.push(BatchPoint {
                time: set_time,
                fields,
                tags: tags.clone(),
            });
        }
    }
    Some(Batch {
        group: group_key(&name, &tags, &dimensions),
        name,
        time,
        tags,
        dimensions,
        points,
    })
}
