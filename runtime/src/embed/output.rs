//! What an embedded task hands back to its program: the messages its pipeline emits and the
//! alert events it raises, as borrowed views for a callback ([`OutputRef`]) or owned values for
//! a channel ([`Output`]), and the tap that routes them there.

use std::sync::mpsc::SyncSender;

use crate::alert::{Event, EventSource, Level};
use crate::json::UnsupportedFloat;
use crate::point::{Batch, Fields, Message, Point, Tags, Time};
use crate::tap::Tap;
use crate::template::alert_data::ServerInfo;

/// One output of a task, borrowed from the pipeline while it runs: what a callback sees.
#[derive(Debug, Clone, Copy)]
pub enum OutputRef<'a> {
    /// A node at the end of the pipeline (one with no children) emitted `messages`, in order,
    /// for one input.
    Emitted { node: &'a str, messages: &'a [Message] },
    /// The alert node `node` raised `event` (after its state policy let it through, before its
    /// handlers ran).
    Alert { node: &'a str, event: &'a Event<'a> },
}

impl OutputRef<'_> {
    /// An owned copy, to keep or to send to another thread.
    pub fn to_owned(&self) -> Output {
        match *self {
            OutputRef::Emitted { node, messages } => Output::Emitted {
                node: node.to_owned(),
                messages: messages.to_vec(),
            },
            OutputRef::Alert { node, event } => Output::Alert(Box::new(Alert::from_event(node, event))),
        }
    }
}

/// One output of a task, owned: what a channel receives.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// See [`OutputRef::Emitted`].
    Emitted { node: String, messages: Vec<Message> },
    /// See [`OutputRef::Alert`] (boxed: an alert is much larger than an emission).
    Alert(Box<Alert>),
}

impl Output {
    /// The alert, when this output is one.
    pub fn alert(&self) -> Option<&Alert> {
        match self {
            Output::Alert(alert) => Some(alert),
            Output::Emitted { .. } => None,
        }
    }
}

/// An alert event, owned. [`Alert::event`] gives back the borrowed [`Event`] handlers see, and
/// [`Alert::json`] the line Kapacitor's log, post and tcp handlers write.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The alert node (`alert2`).
    pub node: String,
    pub id: String,
    pub message: String,
    pub details: String,
    pub time: Time,
    /// Nanoseconds since the episode's first event.
    pub duration: i64,
    pub level: Level,
    pub previous_level: Level,
    pub recoverable: bool,
    /// The measurement.
    pub name: String,
    pub task_name: String,
    /// The identity the default details show as `.ServerInfo`.
    pub server: ServerInfo,
    pub category: Option<String>,
    /// The group as Kapacitor spells it (empty when ungrouped).
    pub group: String,
    pub tags: Tags,
    /// The fields of the point that set the level.
    pub fields: Fields,
    /// The point or batch that raised the event.
    pub data: AlertData,
}

/// The data that raised an alert, owned.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertData {
    Point(Point),
    Batch(Batch),
}

impl Alert {
    fn from_event(node: &str, event: &Event<'_>) -> Alert {
        Alert {
            node: node.to_owned(),
            id: event.id.clone(),
            message: event.message.clone(),
            details: event.details().to_owned(),
            time: event.time,
            duration: event.duration,
            level: event.level,
            previous_level: event.previous_level,
            recoverable: event.recoverable,
            name: event.name.to_owned(),
            task_name: event.task_name.to_owned(),
            server: event.server.clone(),
            category: event.category.map(str::to_owned),
            group: event.group.to_owned(),
            tags: event.tags.clone(),
            fields: event.fields.clone(),
            data: match event.data {
                EventSource::Point(point) => AlertData::Point(point.clone()),
                EventSource::Batch(batch) => AlertData::Batch(batch.clone()),
            },
        }
    }

    /// The event as handlers receive it.
    pub fn event(&self) -> Event<'_> {
        Event {
            id: self.id.clone(),
            message: self.message.clone(),
            details: self.details.as_str().into(),
            time: self.time,
            duration: self.duration,
            level: self.level,
            previous_level: self.previous_level,
            recoverable: self.recoverable,
            name: &self.name,
            task_name: &self.task_name,
            server: &self.server,
            category: self.category.as_deref(),
            group: &self.group,
            tags: &self.tags,
            fields: &self.fields,
            data: match &self.data {
                AlertData::Point(point) => EventSource::Point(point),
                AlertData::Batch(batch) => EventSource::Batch(batch),
            },
        }
    }

    /// The event as the JSON line (with its newline) Kapacitor's log handler writes.
    pub fn json(&self) -> Result<String, UnsupportedFloat> {
        let bytes = self.event().alert_json()?;
        // The writer builds the line from a `String`, so this never replaces anything.
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Where a task's outputs go.
pub(super) enum Sink {
    /// Nowhere: the program reads alerts through the script's handlers.
    None,
    Callback(Box<dyn Fn(OutputRef<'_>) + Send + Sync>),
    /// Every node's messages and every alert, as the tap sees them.
    Tap(std::sync::Arc<dyn Tap>),
}

impl Sink {
    pub(super) fn channel(sender: SyncSender<Output>) -> Sink {
        // A closed receiver means the program stopped listening; the task keeps running.
        Sink::Callback(Box::new(move |output| {
            let _ = sender.send(output.to_owned());
        }))
    }
}

/// A tap that passes the messages of the pipeline's last nodes, and every alert, to a callback.
pub(super) struct LeafTap {
    /// The nodes without children: what they emit is what the pipeline emits.
    pub(super) leaves: Vec<&'static str>,
    pub(super) callback: Box<dyn Fn(OutputRef<'_>) + Send + Sync>,
}

impl Tap for LeafTap {
    /// Data only: barriers and delete-groups are the pipeline's own business.
    fn emitted(&self, node: &str, messages: &[Message]) {
        if messages.is_empty() || !self.leaves.contains(&node) {
            return;
        }
        if messages.iter().all(Message::is_data) {
            (self.callback)(OutputRef::Emitted { node, messages });
            return;
        }
        let data: Vec<Message> = messages.iter().filter(|m| m.is_data()).cloned().collect();
        if !data.is_empty() {
            (self.callback)(OutputRef::Emitted { node, messages: &data });
        }
    }

    fn alert(&self, node: &str, event: &Event<'_>) {
        (self.callback)(OutputRef::Alert { node, event });
    }
}
