//! The alert node: levels each point or batch of a group, turns level changes into events,
//! hands events to the handlers, and passes on (annotated) the data that raised an event.

use std::sync::Arc;

use super::config::{AlertConfig, ConfigError, DetailsTemplate, EventSummary};
use super::event::{Details, Event, EventSource};
use super::groups::{Groups, Slot};
use super::handlers::deliveries;
use super::inhibit::{Inhibitor, Inhibitors};
use super::level::{AlertLevels, Level, determine_level};
use super::snapshot::{AlertSnapshot, GroupSnapshot};
use super::state::{AlertState, Input};
use super::topic::{LastEvent, TopicEvents};
use crate::delivery::{FailureCount, Outbox};
use crate::node::{InPlace, control_in_place, push_in_place};
use crate::point::{Batch, Dimensions, Fields, GroupKey, Message, Point, Str, Tags, Time};
use crate::template::{TemplateError, Value};
use crate::template::alert_data::{
    EventData, FlatMessage, IdData, MapsRead, details_data, id_data, message_data,
};

/// The counts Kapacitor reports for an alert node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertStats {
    pub alerts_triggered: u64,
    pub alerts_inhibited: u64,
    pub oks_triggered: u64,
    pub infos_triggered: u64,
    pub warns_triggered: u64,
    pub crits_triggered: u64,
    /// Events no handler could be given (their data cannot be encoded).
    pub events_dropped: u64,
}

impl AlertStats {
    fn count(&mut self, level: Level) {
        self.alerts_triggered += 1;
        let per_level = match level {
            Level::Ok => &mut self.oks_triggered,
            Level::Info => &mut self.infos_triggered,
            Level::Warning => &mut self.warns_triggered,
            Level::Critical => &mut self.crits_triggered,
        };
        *per_level += 1;
    }
}

/// A group's state and the inhibitors it drives.
#[derive(Debug)]
struct Group {
    state: AlertState,
    inhibitors: Vec<Arc<Inhibitor>>,
    /// The id last rendered for the group; `None` after a restore.
    id: Option<RenderedId>,
}

/// An id with what it was rendered from (see [`GroupMaker::group`]).
#[derive(Debug)]
struct RenderedId {
    name: Str,
    tags: Tags,
    id: Str,
}

/// An alert node over the level expressions `L`.
pub struct AlertNode<L> {
    config: AlertConfig,
    levels: L,
    groups: Groups<Group>,
    /// Kept only when events go to a topic (handlers, or `.topic()`), as in Kapacitor.
    topic: Option<TopicEvents>,
    outbox: Arc<dyn Outbox>,
    inhibitors: Arc<Inhibitors>,
    stats: AlertStats,
    errors: u64,
    /// Handler deliveries that failed for good or were dropped, counted by the outbox.
    handler_failures: FailureCount,
    /// Whether the id template reads the tags: when not, one id serves every point of a group.
    id_reads_tags: bool,
    /// The maps the message and details templates may read, which their data then carries.
    event_maps: MapsRead,
    /// The message template, when it only joins text and the event's strings (the default).
    flat_message: Option<FlatMessage>,
}

impl<L> std::fmt::Debug for AlertNode<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertNode")
            .field("task_name", &self.config.task_name)
            .field("groups", &self.groups.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// What the data of one group says before its level is known.
struct Subject<'a> {
    name: &'a Str,
    group: &'a GroupKey,
    dimensions: &'a Dimensions,
    /// A point's tags; a batch's group tags.
    tags: &'a Tags,
    /// The time Kapacitor gives a group's first message.
    time: Time,
}

/// What making a group's state reads of the node: borrowed apart from the groups, so a
/// group can be looked up once per message and kept while the levels are evaluated.
struct GroupMaker<'n> {
    config: &'n AlertConfig,
    topic: Option<&'n TopicEvents>,
    inhibitors: &'n Inhibitors,
    id_reads_tags: bool,
}

/// The level a point or batch got, with what an event of it would carry.
struct Candidate<'a> {
    id: Str,
    level: Level,
    time: Time,
    fields: &'a Fields,
    source: EventSource<'a>,
}

/// A candidate the state machine decided to send, before it is rendered.
struct Triggered<'a> {
    candidate: Candidate<'a>,
    duration: i64,
}

impl Triggered<'_> {
    fn summary(self, message: String) -> EventSummary {
        EventSummary {
            level: self.candidate.level,
            id: self.candidate.id.to_string(),
            message,
            duration: self.duration,
        }
    }
}

impl<L: AlertLevels> AlertNode<L> {
    /// `inhibitors` is the process's registry, shared by every alert node.
    pub fn new(
        config: AlertConfig,
        levels: L,
        outbox: Arc<dyn Outbox>,
        inhibitors: Arc<Inhibitors>,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        // A tap sees events as a handler would, previous level included.
        let keeps_topic = !config.handlers.is_empty() || config.topic.is_some() || config.tap.is_some();
        Ok(AlertNode {
            id_reads_tags: config.templates.id.may_read("Tags"),
            event_maps: config.templates.event_maps(),
            flat_message: FlatMessage::of(&config.templates.message),
            config,
            levels,
            groups: Groups::default(),
            topic: keeps_topic.then(TopicEvents::default),
            outbox,
            inhibitors,
            stats: AlertStats::default(),
            errors: 0,
            handler_failures: FailureCount::new(),
        })
    }

    pub fn stats(&self) -> AlertStats {
        self.stats
    }

    /// The last event of each id, when the node keeps them (see [`TopicEvents`]).
    pub fn topic_events(&self) -> Option<&TopicEvents> {
        self.topic.as_ref()
    }

    /// The state of every group, for snapshots.
    pub fn states(&self) -> impl Iterator<Item = (&GroupKey, &AlertState)> {
        self.groups.iter().map(|(k, g)| (k, &g.state))
    }

    /// Levels one message of `subject`'s group and records the level in the group's state,
    /// looking the group up once: `judge` is given the node's level expressions, the group's
    /// current level and the error count, and returns the message's level, its time and what
    /// the caller keeps of it (`None` stops here, the group made). `None` when the message
    /// makes no event (or its id cannot be rendered); else the event's id and duration.
    fn judge<T>(
        &mut self,
        subject: &Subject<'_>,
        input: Input,
        judge: impl FnOnce(&mut L, Level, &mut u64) -> Option<(Level, Time, T)>,
    ) -> Option<(Str, i64, Level, Time, T)> {
        let maker = GroupMaker {
            config: &self.config,
            topic: self.topic.as_ref(),
            inhibitors: &self.inhibitors,
            id_reads_tags: self.id_reads_tags,
        };
        let group = maker.group(&mut self.groups, subject, &mut self.errors)?;
        let (level, time, kept) = judge(&mut self.levels, group.state.level(), &mut self.errors)?;
        let duration = group.advance(&self.config, input, level, time)?;
        Some((group.id(), duration, level, time, kept))
    }

    /// Judges a point; whether it goes on (an event was raised: annotated, it goes on).
    fn point(&mut self, point: &mut Point) -> bool {
        let subject = Subject {
            name: &point.name,
            group: &point.group,
            dimensions: &point.dimensions,
            tags: &point.tags,
            time: point.time,
        };
        let judged = self.judge(&subject, Input::Point, |levels, current, errors| {
            let level = determine_level(levels, point, current, |_, _| *errors += 1);
            Some((level, point.time, ()))
        });
        let Some((id, duration, level, time, ())) = judged else {
            return false;
        };
        let candidate = Candidate {
            id,
            level,
            time,
            fields: &point.fields,
            source: EventSource::Point(point),
        };
        let Some(summary) = self.raise(&subject, Triggered { candidate, duration }) else {
            return false;
        };
        let annotations = &self.config.annotations;
        annotations.annotate_tags(&mut point.tags, &summary);
        annotations.annotate_fields(&mut point.fields, &summary);
        true
    }

    /// Judges a batch; whether it goes on (an event was raised: annotated, it goes on).
    fn batch(&mut self, batch: &mut Batch) -> bool {
        let subject = Subject {
            name: &batch.name,
            group: &batch.group,
            dimensions: &batch.dimensions,
            tags: &batch.tags,
            time: batch.time,
        };
        let all = self.config.all;
        let judged = self.judge(&subject, Input::Batch, |levels, current, errors| {
            let first = batch.points.first()?;
            let mut lowest = Level::Critical;
            let (mut highest, mut highest_point) = (Level::Ok, first);
            for (i, p) in batch.points.iter().enumerate() {
                let level = determine_level(&mut *levels, p, current, |_, _| *errors += 1);
                lowest = lowest.min(level);
                if i == 0 || level > highest {
                    (highest, highest_point) = (level, p);
                }
            }
            let level = if all { lowest } else { highest };
            let time = if all || level == Level::Ok {
                batch.time
            } else {
                highest_point.time
            };
            Some((level, time, highest_point))
        });
        let Some((id, duration, level, time, highest_point)) = judged else {
            return false;
        };
        let candidate = Candidate {
            id,
            level,
            time,
            fields: &highest_point.fields,
            source: EventSource::Batch(batch),
        };
        let Some(summary) = self.raise(&subject, Triggered { candidate, duration }) else {
            return false;
        };
        let annotations = &self.config.annotations;
        if !annotations.is_empty() {
            for p in &mut batch.points {
                annotations.annotate_tags(&mut p.tags, &summary);
                annotations.annotate_fields(&mut p.fields, &summary);
            }
            annotations.annotate_tags(&mut batch.tags, &summary);
        }
        true
    }

    /// Forgets a deleted group, and its inhibitors with it.
    ///
    /// Kapacitor forgets the group's state too but leaves its inhibitors registered, for
    /// ever. An alerting group's level is not lost where it matters: when the node keeps a
    /// topic, the group's id remembers it there, and a group that comes back starts from it
    /// (see [`GroupMaker::new_group`]), so its recovery still goes out.
    fn delete_group(&mut self, key: &GroupKey) {
        if let Some(group) = self.groups.remove(key) {
            for inhibitor in &group.inhibitors {
                self.inhibitors.remove(inhibitor);
            }
        }
    }

    /// Renders and handles an event; returns what annotations write, or `None` when a
    /// template fails (the data is then dropped, as in Kapacitor).
    fn raise(&mut self, subject: &Subject<'_>, t: Triggered<'_>) -> Option<EventSummary> {
        let (message, details) = match self.render_message_and_details(subject, &t) {
            Ok(texts) => texts,
            Err(_) => {
                self.errors += 1;
                return None;
            }
        };
        let category = self.config.category.as_deref();
        if self
            .inhibitors
            .is_inhibited(category.unwrap_or_default(), subject.tags)
        {
            self.stats.alerts_inhibited += 1;
            return Some(t.summary(message));
        }
        self.stats.count(t.candidate.level);
        let Some(topic) = &mut self.topic else {
            return Some(t.summary(message));
        };
        let Triggered {
            candidate: c,
            duration,
        } = t;
        let previous_level = topic.record(
            &c.id,
            LastEvent {
                level: c.level,
                time: c.time,
            },
        );
        let event = Event {
            id: c.id.to_string(),
            message,
            details,
            time: c.time,
            duration,
            level: c.level,
            previous_level,
            recoverable: !self.config.no_recoveries,
            name: subject.name,
            task_name: &self.config.task_name,
            server: &self.config.server,
            category,
            group: subject.group.as_str(),
            tags: subject.tags,
            fields: c.fields,
            data: c.source,
        };
        if let Some(observer) = &self.config.tap {
            observer.tap.alert(&observer.node, &event);
        }
        let mut undeliverable = false;
        for delivery in deliveries(&self.config.handlers, &event, |_| undeliverable = true) {
            self.outbox.send_counted(delivery, &self.handler_failures);
        }
        if undeliverable {
            self.stats.events_dropped += 1;
        }
        Some(EventSummary {
            level: event.level,
            id: event.id,
            message: event.message,
            duration: event.duration,
        })
    }

    fn render_message_and_details(
        &self,
        subject: &Subject<'_>,
        t: &Triggered<'_>,
    ) -> Result<(String, Details), TemplateError> {
        let ids = ids_of(&self.config, subject);
        let c = &t.candidate;
        let event = EventData {
            id: &c.id,
            fields: c.fields,
            level: c.level.as_str(),
            time: c.time,
            duration: t.duration,
        };
        let templates = &self.config.templates;
        // Built when a template needs it, once.
        let mut built = None;
        let mut data = || Arc::clone(built.get_or_insert_with(|| message_data(&ids, &event, self.event_maps)));
        let message = match &self.flat_message {
            Some(flat) => flat.render(&ids, &event),
            None => templates.message.render(&Value::Struct(data()))?,
        };
        let details = match &templates.details {
            // Rendered when read (a handler that needs the text), else written straight into
            // the event's JSON.
            DetailsTemplate::Json => Details::default_json(),
            DetailsTemplate::Custom(template) => Details::Text(template.render(&details_data(&data(), &message))?),
        };
        Ok((message, details))
    }
}

/// What the id, message and details templates see of the node and the data.
fn ids_of<'s>(config: &'s AlertConfig, subject: &Subject<'s>) -> IdData<'s> {
    IdData {
        name: subject.name,
        task_name: &config.task_name,
        group: subject.group.as_str(),
        tags: subject.tags,
        server: &config.server,
    }
}

impl GroupMaker<'_> {
    /// The state of the message's group, with the message's id rendered. A new group is made
    /// (see [`GroupMaker::new_group`]) once its id is known; `None`, counting an error, when
    /// the id template fails. The id template sees only the name, the group and the tags, and
    /// the points of one series share their name and tags (the same shared strings, compared
    /// by address first), so an id is rendered once per series instead of once per point, and
    /// once per group when the template does not read the tags (Kapacitor's default id).
    fn group<'g>(
        &self,
        groups: &'g mut Groups<Group>,
        subject: &Subject<'_>,
        errors: &mut u64,
    ) -> Option<&'g mut Group> {
        let slot = groups.slot(subject.group);
        let rendered = match &slot {
            Slot::Occupied(known) => known.id.as_ref().is_some_and(|id| {
                id.name == *subject.name && (!self.id_reads_tags || id.tags == *subject.tags)
            }),
            Slot::Vacant(_) => false,
        };
        let id = if rendered {
            None
        } else {
            match self.config.templates.id.render(&id_data(&ids_of(self.config, subject))) {
                Ok(id) => Some(Str::from(id)),
                Err(_) => {
                    *errors += 1;
                    return None;
                }
            }
        };
        let group = match slot {
            Slot::Occupied(known) => known,
            Slot::Vacant(room) => room.insert(self.new_group(subject, id.as_deref().unwrap_or_default())),
        };
        if let Some(id) = id {
            group.id = Some(RenderedId { name: subject.name.clone(), tags: subject.tags.clone(), id });
        }
        Some(group)
    }

    /// A group's fresh state: it starts from the level its id last had in the topic, and
    /// registers its inhibitors with the values its group gives their tags.
    fn new_group(&self, subject: &Subject<'_>, id: &str) -> Group {
        let policy = &self.config.state;
        let mut state = AlertState::new(policy);
        if let Some(last) = self.topic.and_then(|t| t.get(id))
            && last.level != Level::Ok
        {
            state.update(subject.time, last.level, policy);
            state.trigger(last.time);
        }
        let inhibitors = self
            .config
            .inhibits
            .iter()
            .map(|inhibit| {
                let tags = inhibit
                    .equal_tags
                    .iter()
                    .map(|name| {
                        let in_group = subject.dimensions.tag_names.iter().any(|t| t == name);
                        let value = subject.tags.get(name).filter(|_| in_group);
                        (name.clone(), value.cloned().unwrap_or_default())
                    })
                    .collect();
                self.inhibitors.add(&inhibit.category, tags)
            })
            .collect();
        Group { state, inhibitors, id: None }
    }
}

impl Group {
    /// The id last rendered for the group.
    fn id(&self) -> Str {
        self.id.as_ref().map(|r| r.id.clone()).unwrap_or_default()
    }

    /// Records the level the group's message got at `time`, and decides whether it makes an
    /// event: its duration when it does.
    fn advance(&mut self, config: &AlertConfig, input: Input, level: Level, time: Time) -> Option<i64> {
        let policy = &config.state;
        self.state.update(time, level, policy);
        if !self.state.triggers(level, policy, input) {
            return None;
        }
        let duration = self.state.trigger(time);
        for inhibitor in &self.inhibitors {
            inhibitor.set(level != Level::Ok);
        }
        if config.no_recoveries && level == Level::Ok {
            return None;
        }
        Some(duration)
    }
}

/// A point or batch goes on only when it raised an event; nothing comes after it.
impl<L: AlertLevels> InPlace for AlertNode<L> {
    fn process(&mut self, msg: &mut Message, _after: &mut Vec<Message>) -> bool {
        match msg {
            Message::Point(p) => self.point(p),
            Message::Batch(b) => self.batch(b),
            control @ (Message::DeleteGroup { .. } | Message::Barrier { .. }) => {
                control_in_place(control, |group| self.delete_group(group))
            }
        }
    }
}

impl<L: AlertLevels> crate::node::Node for AlertNode<L> {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        push_in_place(self, msg, out);
    }

    fn groups(&self) -> usize {
        self.groups.len()
    }

    fn errors(&self) -> u64 {
        self.errors
    }

    fn handler_failures(&self) -> Option<u64> {
        Some(self.handler_failures.get())
    }

    fn snapshot(&self) -> Option<Vec<u8>> {
        let groups = self
            .groups
            .iter()
            .map(|(key, group)| GroupSnapshot {
                key: key.0.clone(),
                state: group.state.clone(),
                inhibitor_tags: group
                    .inhibitors
                    .iter()
                    .map(|i| i.tags().iter().map(|(k, v)| (k.to_owned(), v.to_string())).collect())
                    .collect(),
            })
            .collect();
        let snapshot = AlertSnapshot {
            groups,
            topic: self.topic.clone(),
        };
        match snapshot.encode() {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                eprintln!("E! alert node of task {}: cannot save its state: {e}", self.config.task_name);
                None
            }
        }
    }

    /// Puts back the groups and the topic; each group's inhibitors are registered again, active
    /// while the group alerts.
    fn restore(&mut self, bytes: &[u8]) -> Result<(), String> {
        let snapshot = AlertSnapshot::decode(bytes)?;
        self.groups = snapshot
            .groups
            .into_iter()
            .map(|g| {
                let alerting = g.state.level() != Level::Ok;
                let inhibitors = self
                    .config
                    .inhibits
                    .iter()
                    .zip(g.inhibitor_tags)
                    .map(|(inhibit, tags)| {
                        let inhibitor = self.inhibitors.add(&inhibit.category, tags.into_iter().collect());
                        inhibitor.set(alerting);
                        inhibitor
                    })
                    .collect();
                (GroupKey(g.key), Group { state: g.state, inhibitors, id: None })
            })
            .collect();
        // A node keeps a topic only when it has handlers or a topic: its configuration decides,
        // not the snapshot's.
        if let Some(topic) = &mut self.topic {
            *topic = snapshot.topic.unwrap_or_default();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::Inhibit;
    use crate::alert::handlers::{Handler, TcpHandler};
    use crate::alert::level::LevelCheck;
    use crate::delivery::{Delivery, RecordingOutbox};
    use crate::expr::{EvalError, Scope};
    use crate::node::Node;
    use crate::point::FieldValue;
    use crate::template::Template;

    /// CRITICAL when `v` exceeds the threshold; counts its evaluations over the whole node, as
    /// a stateful function in a level lambda does.
    struct CritAbove {
        threshold: f64,
        evaluations: u64,
    }

    impl AlertLevels for CritAbove {
        fn test<S: Scope + ?Sized>(
            &mut self,
            check: LevelCheck,
            scope: &S,
        ) -> Option<Result<bool, EvalError>> {
            if check != LevelCheck::Enter(Level::Critical) {
                return None;
            }
            self.evaluations += 1;
            Some(match scope.field("v") {
                Some(FieldValue::Float(v)) => Ok(*v > self.threshold),
                _ => Err(EvalError::MissingReference { name: "v".into() }),
            })
        }
    }

    fn point(host: &str, v: f64, time: Time) -> Message {
        Message::Point(Point {
            database: "db".into(),
            retention_policy: "rp".into(),
            name: "cpu".into(),
            tags: Tags::from_iter([("host".to_owned(), host.to_owned())]),
            fields: Fields::from_iter([("v".to_owned(), FieldValue::Float(v))]),
            time,
            dimensions: Dimensions {
                by_measurement: false,
                tag_names: ["host"].map(crate::point::Str::from).into(),
            },
            group: GroupKey(format!("host={host}").into()),
        })
    }

    fn node(config: AlertConfig) -> (AlertNode<CritAbove>, Arc<RecordingOutbox>) {
        let outbox = Arc::new(RecordingOutbox::new());
        let levels = CritAbove {
            threshold: 50.0,
            evaluations: 0,
        };
        let node = AlertNode::new(config, levels, outbox.clone(), Arc::new(Inhibitors::new()));
        (node.unwrap(), outbox)
    }

    fn tcp_config(id: &str) -> AlertConfig {
        let mut config = AlertConfig::new("t");
        config.templates.id = Template::parse(id).unwrap();
        config.handlers.push(Handler::Tcp(TcpHandler {
            address: "a:1".into(),
        }));
        config
    }

    /// `(level, previousLevel, duration)` of each delivered event.
    fn events(outbox: &RecordingOutbox) -> Vec<(String, String, i64)> {
        outbox
            .take()
            .into_iter()
            .map(|d| match d {
                Delivery::Tcp { line, .. } => {
                    let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
                    (
                        v["level"].as_str().unwrap().to_owned(),
                        v["previousLevel"].as_str().unwrap().to_owned(),
                        v["duration"].as_i64().unwrap(),
                    )
                }
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn ev(level: &str, previous: &str, duration: i64) -> (String, String, i64) {
        (level.into(), previous.into(), duration)
    }

    /// Two groups share one id: the second group starts at the level and episode the id last
    /// had, and previousLevel follows the id across groups.
    #[test]
    fn a_new_group_starts_from_its_ids_last_event() {
        let (mut node, outbox) = node(tcp_config("same"));
        let mut out = Vec::new();
        node.push(point("a", 90.0, 10), &mut out);
        node.push(point("b", 90.0, 15), &mut out);
        node.push(point("b", 10.0, 20), &mut out);
        assert_eq!(
            events(&outbox),
            [
                ev("CRITICAL", "OK", 0),
                ev("CRITICAL", "CRITICAL", 5),
                ev("OK", "CRITICAL", 10)
            ]
        );
        assert_eq!(out.len(), 3);
        // One state for all groups; the recovery evaluates CRITICAL twice (rise, then fall).
        assert_eq!(node.levels.evaluations, 4);
    }

    #[test]
    fn a_failing_template_drops_the_point_and_counts_an_error() {
        let (mut node, outbox) = node(tcp_config("{{ .Nope }}"));
        let mut out = Vec::new();
        node.push(point("a", 90.0, 10), &mut out);
        assert!(out.is_empty());
        assert!(outbox.take().is_empty());
        assert_eq!(node.errors(), 1);
    }

    #[test]
    fn an_unencodable_event_is_counted_and_still_passed_on() {
        let (mut node, outbox) = node(tcp_config("x"));
        let mut out = Vec::new();
        let Message::Point(mut p) = point("a", 90.0, 10) else {
            unreachable!()
        };
        p.fields.insert("bad", FieldValue::Float(f64::NAN));
        node.push(Message::Point(p), &mut out);
        assert!(outbox.take().is_empty());
        assert_eq!(out.len(), 1);
        let stats = node.stats();
        assert_eq!((stats.crits_triggered, stats.events_dropped), (1, 1));
    }

    /// A node restored from a snapshot carries on the episode: the recovery after a restart
    /// has the CRITICAL before it as previousLevel and lasts from the first CRITICAL.
    #[test]
    fn state_survives_a_snapshot_and_restore() {
        let (mut before, outbox) = node(tcp_config("{{ .Group }}"));
        let mut out = Vec::new();
        before.push(point("a", 90.0, 10), &mut out);
        before.push(point("a", 95.0, 20), &mut out);
        assert_eq!(
            events(&outbox),
            [ev("CRITICAL", "OK", 0), ev("CRITICAL", "CRITICAL", 10)]
        );
        let bytes = before.snapshot().expect("an alert node keeps state");

        let (mut after, outbox) = node(tcp_config("{{ .Group }}"));
        after.restore(&bytes).unwrap();
        after.push(point("a", 10.0, 30), &mut out);
        assert_eq!(events(&outbox), [ev("OK", "CRITICAL", 20)]);

        let (mut fresh, outbox) = node(tcp_config("{{ .Group }}"));
        fresh.push(point("a", 10.0, 30), &mut out);
        assert!(events(&outbox).is_empty(), "without the state an OK is no event");
        assert!(fresh.restore(b"garbage").is_err());
    }

    /// A deleted group is forgotten with its inhibitors; an alerting one that comes back
    /// starts from its id's last event in the topic, so its recovery still goes out.
    #[test]
    fn a_deleted_group_is_forgotten_but_its_topic_remembers() {
        let inhibitors = Arc::new(Inhibitors::new());
        let mut config = tcp_config("{{ .Group }}");
        config.inhibits.push(Inhibit {
            category: "c".into(),
            equal_tags: vec!["host".into()],
        });
        let levels = CritAbove {
            threshold: 50.0,
            evaluations: 0,
        };
        let outbox = Arc::new(RecordingOutbox::new());
        let mut node = AlertNode::new(config, levels, outbox.clone(), inhibitors.clone()).unwrap();
        let mut out = Vec::new();
        node.push(point("a", 90.0, 10), &mut out);
        node.push(point("b", 10.0, 10), &mut out);
        let host_a = Tags::from_pairs([("host".into(), "a".into())]);
        assert!(inhibitors.is_inhibited("c", &host_a));
        assert_eq!(node.groups(), 2);
        out.clear();
        for group in ["host=a", "host=b", "host=never"] {
            let delete = Message::DeleteGroup {
                group: GroupKey(group.into()),
            };
            node.push(delete.clone(), &mut out);
            assert_eq!(out.pop(), Some(delete), "passed on");
        }
        assert_eq!(node.groups(), 0);
        assert!(!inhibitors.is_inhibited("c", &host_a));
        node.push(point("a", 10.0, 30), &mut out);
        assert_eq!(
            events(&outbox),
            [ev("CRITICAL", "OK", 0), ev("OK", "CRITICAL", 20)]
        );
        let barrier = Message::Barrier {
            group: GroupKey("host=a".into()),
            time: 40,
        };
        out.clear();
        node.push(barrier.clone(), &mut out);
        assert_eq!(out, [barrier]);
    }

    /// A handler's failed deliveries count in the node's stats (and so in its DOT and
    /// /metrics series), the data going on meanwhile.
    #[test]
    fn failed_deliveries_show_in_the_node_stats() {
        use crate::delivery::DeliveryPolicy;
        use crate::delivery::threaded::ThreadedOutbox;
        let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = refused.local_addr().unwrap().to_string();
        drop(refused);
        let outbox = Arc::new(ThreadedOutbox::with_policy(DeliveryPolicy {
            queue_capacity: 16,
            timeout: std::time::Duration::from_millis(400),
            retries: 0,
            backoff: std::time::Duration::from_millis(10),
        }));
        let mut config = AlertConfig::new("t");
        config.handlers.push(Handler::Tcp(TcpHandler { address }));
        let levels = CritAbove { threshold: 50.0, evaluations: 0 };
        let node = AlertNode::new(config, levels, outbox.clone(), Arc::new(Inhibitors::new())).unwrap();
        let mut wired = crate::__private::Wired::new(node);
        for (v, time) in [(90.0, 10), (10.0, 11), (90.0, 12)] {
            let out = wired.push(point("a", v, time));
            wired.recycle(out);
        }
        outbox.flush();
        let stats = wired.stats("alert2").with_alert(&wired.node);
        assert_eq!(stats.handler_failures, Some(3));
        let named = stats.named_values();
        assert!(named.contains(&("handler_failures", 3)), "{named:?}");
        assert!(named.contains(&("alerts_triggered", 3)), "{named:?}");
    }

    /// Without handlers or a topic nothing is delivered, but data still passes on.
    #[test]
    fn without_handlers_events_only_pass_data_on() {
        let (mut node, outbox) = node(AlertConfig::new("t"));
        let mut out = Vec::new();
        node.push(point("a", 90.0, 10), &mut out);
        node.push(point("a", 10.0, 11), &mut out);
        node.push(point("a", 10.0, 12), &mut out);
        assert!(outbox.take().is_empty());
        assert!(node.topic_events().is_none());
        assert_eq!(out.len(), 2);
        assert_eq!(node.stats().alerts_triggered, 2);
    }
}
