//! Which tasks can use a point: an index built once from the tasks' descriptors, from a point's
//! database, retention policy, measurement and tags to the tasks whose [`Route`]s it matches, so
//! a write or a replay hands each point only to those tasks instead of offering it to every
//! task of its database (a hundred tasks, each on its own host, then cost about what one does).
//!
//! A route's tag equality `name == value` is met by a point whose tag `name` is `value`, or
//! which has no tag `name` but a field of that name (the `.where()` lambda reads the field
//! then). A point with both a tag and a field `name` cannot pass the lambda (the reference is
//! an error, see [`crate::expr::reference`]), so only its tag is looked at.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::iter::Copied;
use std::slice;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::lineproto::{LineView, SeriesLine};
use crate::point::{Point, Str};
use crate::task::{Route, Routes, TaskDescriptor};

/// A task's position in the descriptors the index was built from.
pub type TaskIndex = usize;

/// What routing reads of a point: a decoded [`Point`], or a line of a write not decoded yet.
pub trait Routable {
    fn measurement(&self) -> Cow<'_, str>;
    fn tag(&self, name: &str) -> Option<Cow<'_, str>>;
    fn has_field(&self, name: &str) -> bool;
    /// Where the decision for the point's series is remembered, when it has one.
    fn memo(&self) -> Option<&RouteMemo> {
        None
    }
}

/// The tasks one series' points go to. The decision depends on the point's database,
/// retention policy, measurement and tags (the series), and on its fields only when a route
/// names a tag the series lacks (a field of that name may stand in for it): a series keeps
/// the decision made without its fields, for the index and the database and retention policy
/// it was made for, and its later points cost no routing at all.
#[derive(Debug, Default)]
pub struct RouteMemo(RefCell<Option<Decision>>);

#[derive(Debug)]
struct Decision {
    /// [`RouteIndex::id`] of the index that decided.
    index: u64,
    database: Str,
    retention_policy: Str,
    tasks: Vec<TaskIndex>,
}

impl RouteMemo {
    /// Adds the remembered tasks to `tasks` when there is a decision for this index, database
    /// and retention policy.
    ///
    /// The names compare by address first: a write's database and retention policy are the
    /// interned strings the decision kept.
    fn recall(&self, index: u64, database: &Str, retention_policy: &Str, tasks: &mut Vec<TaskIndex>) -> bool {
        let decision = self.0.borrow();
        match &*decision {
            Some(d) if d.index == index && d.database == *database && d.retention_policy == *retention_policy => {
                tasks.extend_from_slice(&d.tasks);
                true
            }
            _ => false,
        }
    }

    fn remember(&self, index: u64, database: &Str, retention_policy: &Str, tasks: &[TaskIndex]) {
        let mut decision = self.0.borrow_mut();
        match &mut *decision {
            // The same series written elsewhere: reuse the list's memory.
            Some(d) => {
                d.index = index;
                d.database = database.clone();
                d.retention_policy = retention_policy.clone();
                d.tasks.clear();
                d.tasks.extend_from_slice(tasks);
            }
            None => {
                *decision = Some(Decision {
                    index,
                    database: database.clone(),
                    retention_policy: retention_policy.clone(),
                    tasks: tasks.to_vec(),
                });
            }
        }
    }
}

/// A decoded point with its series' [`RouteMemo`].
#[derive(Debug, Clone, Copy)]
pub struct Memoized<'p> {
    pub point: &'p Point,
    pub memo: &'p RouteMemo,
}

impl Routable for Memoized<'_> {
    fn measurement(&self) -> Cow<'_, str> {
        self.point.measurement()
    }

    fn tag(&self, name: &str) -> Option<Cow<'_, str>> {
        self.point.tag(name)
    }

    fn has_field(&self, name: &str) -> bool {
        self.point.has_field(name)
    }

    fn memo(&self) -> Option<&RouteMemo> {
        Some(self.memo)
    }
}

/// A line whose series is known, routed before its fields are read.
impl Routable for SeriesLine<'_, '_, RouteMemo> {
    fn measurement(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.name().as_str())
    }

    fn tag(&self, name: &str) -> Option<Cow<'_, str>> {
        self.tags().get(name).map(|value| Cow::Borrowed(&**value))
    }

    fn has_field(&self, name: &str) -> bool {
        SeriesLine::has_field(self, name)
    }

    fn memo(&self) -> Option<&RouteMemo> {
        Some(SeriesLine::memo(self))
    }
}

impl Routable for Point {
    fn measurement(&self) -> Cow<'_, str> {
        Cow::Borrowed(&*self.name)
    }

    fn tag(&self, name: &str) -> Option<Cow<'_, str>> {
        self.tags.get(name).map(|value| Cow::Borrowed(&**value))
    }

    fn has_field(&self, name: &str) -> bool {
        self.fields.get(name).is_some()
    }
}

impl Routable for LineView<'_> {
    fn measurement(&self) -> Cow<'_, str> {
        LineView::measurement(self)
    }

    fn tag(&self, name: &str) -> Option<Cow<'_, str>> {
        LineView::tag(self, name)
    }

    fn has_field(&self, name: &str) -> bool {
        self.field(name).is_some()
    }
}

/// The routes of every task, by database and retention policy, then measurement, then tag.
#[derive(Debug, Default)]
pub struct RouteIndex {
    /// Unique to this index, so a [`RouteMemo`] knows whose decision it holds.
    id: u64,
    /// A program reads a handful of dbrps: a list beats hashing two strings per point.
    dbrps: Vec<DbrpRoutes>,
    /// Every route with tag equalities, by route number.
    constrained: Vec<Constrained>,
    tasks: usize,
}

#[derive(Debug)]
struct DbrpRoutes {
    database: &'static str,
    retention_policy: &'static str,
    /// Routes without a measurement.
    any_measurement: Selection,
    by_measurement: HashMap<&'static str, Selection>,
}

/// The routes of one measurement (or of any).
#[derive(Debug, Default)]
struct Selection {
    /// Tasks that take every point here.
    every_point: Vec<TaskIndex>,
    /// Routes with tag equalities, by tag name (a few names: a list).
    by_tag: Vec<TagRoutes>,
}

/// The routes with an equality on one tag.
#[derive(Debug)]
struct TagRoutes {
    name: &'static str,
    by_value: HashMap<&'static str, Vec<RouteNumber>>,
    /// Every route of `by_value`: what a point with a field of this name (and no such tag) meets.
    all: Vec<RouteNumber>,
}

type RouteNumber = usize;

/// A route with tag equalities: its task and how many equalities a point must meet.
#[derive(Debug, Clone, Copy)]
struct Constrained {
    task: TaskIndex,
    equalities: u32,
}

/// The working memory of [`RouteIndex::tasks_for`], kept between points so routing a point
/// allocates nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    /// The tasks of the last point, in program order.
    tasks: Vec<TaskIndex>,
    /// Whether a task is in `tasks`.
    taken: Vec<bool>,
    /// How many equalities of each constrained route the point meets...
    hits: Vec<u32>,
    /// ...and which routes those counts are for, so they can be reset.
    touched: Vec<RouteNumber>,
    /// Whether the decision for the last point looked at its fields.
    read_fields: bool,
}

impl RouteIndex {
    /// The index of `tasks`: task `i` of the index is `tasks[i]`.
    pub fn new(tasks: &[TaskDescriptor]) -> RouteIndex {
        static INDICES: AtomicU64 = AtomicU64::new(1);
        let mut index = RouteIndex {
            id: INDICES.fetch_add(1, Ordering::Relaxed),
            tasks: tasks.len(),
            ..RouteIndex::default()
        };
        for (task, descriptor) in tasks.iter().enumerate() {
            match descriptor.routes {
                Routes::Dbrps => {
                    for dbrp in descriptor.dbrps {
                        index.add(
                            task,
                            &Route {
                                database: dbrp.database,
                                retention_policy: dbrp.retention_policy,
                                measurement: None,
                                tags: &[],
                            },
                        );
                    }
                }
                Routes::Only(routes) => {
                    for route in routes {
                        index.add(task, route);
                    }
                }
            }
        }
        index
    }

    fn add(&mut self, task: TaskIndex, route: &Route) {
        let RouteIndex {
            dbrps, constrained, ..
        } = self;
        let position = dbrps.iter().position(|d| {
            d.database == route.database && d.retention_policy == route.retention_policy
        });
        let dbrp = match position.and_then(|p| dbrps.get_mut(p)) {
            Some(dbrp) => dbrp,
            None => {
                dbrps.push(DbrpRoutes {
                    database: route.database,
                    retention_policy: route.retention_policy,
                    any_measurement: Selection::default(),
                    by_measurement: HashMap::new(),
                });
                let Some(dbrp) = dbrps.last_mut() else { return };
                dbrp
            }
        };
        let selection = match route.measurement {
            None => &mut dbrp.any_measurement,
            Some(measurement) => dbrp.by_measurement.entry(measurement).or_default(),
        };
        if route.tags.is_empty() {
            if !selection.every_point.contains(&task) {
                selection.every_point.push(task);
            }
            return;
        }
        let number = constrained.len();
        constrained.push(Constrained {
            task,
            equalities: u32::try_from(route.tags.len()).unwrap_or(u32::MAX),
        });
        for &(name, value) in route.tags {
            let tag = match selection.by_tag.iter().position(|t| t.name == name) {
                Some(p) => selection.by_tag.get_mut(p),
                None => {
                    selection.by_tag.push(TagRoutes {
                        name,
                        by_value: HashMap::new(),
                        all: Vec::new(),
                    });
                    selection.by_tag.last_mut()
                }
            };
            if let Some(tag) = tag {
                tag.by_value.entry(value).or_default().push(number);
                tag.all.push(number);
            }
        }
    }

    /// The tasks that can use `point`, written to `database`.`retention_policy`, in program
    /// order: recalled from the point's [`RouteMemo`] when it has one that holds the decision,
    /// else decided (and remembered there). Allocates only the first time `scratch` is used
    /// with this index, and when a memo remembers.
    pub fn tasks_for<'s>(
        &self,
        scratch: &'s mut Scratch,
        database: &Str,
        retention_policy: &Str,
        point: &(impl Routable + ?Sized),
    ) -> Copied<slice::Iter<'s, TaskIndex>> {
        scratch.reset(self);
        let memo = point.memo();
        if memo.is_some_and(|m| m.recall(self.id, database, retention_policy, &mut scratch.tasks)) {
            return scratch.tasks.iter().copied();
        }
        self.decide(scratch, database.as_str(), retention_policy.as_str(), point);
        if let Some(memo) = memo
            && !scratch.read_fields
        {
            memo.remember(self.id, database, retention_policy, &scratch.tasks);
        }
        scratch.tasks.iter().copied()
    }

    /// Fills `scratch.tasks` with the tasks that can use `point`, in program order.
    fn decide(&self, scratch: &mut Scratch, database: &str, retention_policy: &str, point: &(impl Routable + ?Sized)) {
        let dbrp = self
            .dbrps
            .iter()
            .find(|d| d.database == database && d.retention_policy == retention_policy);
        if let Some(dbrp) = dbrp {
            self.select(&dbrp.any_measurement, point, scratch);
            if !dbrp.by_measurement.is_empty()
                && let Some(selection) = dbrp.by_measurement.get(&*point.measurement())
            {
                self.select(selection, point, scratch);
            }
        }
        if scratch.tasks.len() > 1 {
            scratch.tasks.sort_unstable();
        }
        scratch.clear_marks();
    }

    /// Whether some task can use a point of `database`.`retention_policy`.
    pub fn reads(&self, database: &str, retention_policy: &str) -> bool {
        self.dbrps
            .iter()
            .any(|d| d.database == database && d.retention_policy == retention_policy)
    }

    fn select(
        &self,
        selection: &Selection,
        point: &(impl Routable + ?Sized),
        scratch: &mut Scratch,
    ) {
        for &task in &selection.every_point {
            scratch.take(task);
        }
        for tag in &selection.by_tag {
            let routes = match point.tag(tag.name) {
                Some(value) => tag.by_value.get(&*value).map_or(&[][..], Vec::as_slice),
                None => {
                    scratch.read_fields = true;
                    if point.has_field(tag.name) { tag.all.as_slice() } else { &[] }
                }
            };
            for &number in routes {
                let (Some(route), Some(hits)) =
                    (self.constrained.get(number), scratch.hits.get_mut(number))
                else {
                    continue;
                };
                if *hits == 0 {
                    scratch.touched.push(number);
                }
                *hits += 1;
                if *hits == route.equalities {
                    scratch.take(route.task);
                }
            }
        }
    }
}

impl Scratch {
    /// Forgets the last point's tasks, sized for `index`. The marks a decision leaves are
    /// cleared by the decision itself, so a recalled decision (most points) costs no clearing.
    fn reset(&mut self, index: &RouteIndex) {
        self.read_fields = false;
        self.tasks.clear();
        if self.taken.len() < index.tasks {
            self.taken.resize(index.tasks, false);
        }
        if self.hits.len() < index.constrained.len() {
            self.hits.resize(index.constrained.len(), 0);
        }
    }

    /// Clears what deciding marked: which tasks are taken, and the routes' counts.
    fn clear_marks(&mut self) {
        for &task in &self.tasks {
            if let Some(taken) = self.taken.get_mut(task) {
                *taken = false;
            }
        }
        for number in self.touched.drain(..) {
            if let Some(hits) = self.hits.get_mut(number) {
                *hits = 0;
            }
        }
    }

    fn take(&mut self, task: TaskIndex) {
        if let Some(taken) = self.taken.get_mut(task)
            && !*taken
        {
            *taken = true;
            self.tasks.push(task);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lineproto::{SeriesCache, SeriesId, SeriesTable, parse_line};
    use crate::task::{Dbrp, TaskKind};
    use crate::time::Precision;

    static TELEGRAF: &[Dbrp] = &[Dbrp {
        database: "telegraf",
        retention_policy: "autogen",
    }];

    fn route(
        measurement: Option<&'static str>,
        tags: &'static [(&'static str, &'static str)],
    ) -> Route {
        Route {
            database: "telegraf",
            retention_policy: "autogen",
            measurement,
            tags,
        }
    }

    fn task(id: &'static str, routes: Routes) -> TaskDescriptor {
        TaskDescriptor {
            id,
            kind: TaskKind::Stream,
            dbrps: TELEGRAF,
            script: "",
            nodes: &[],
            edges: &[],
            queries: Vec::new,
            new: |_| unreachable!("the index never starts a task"),
            enabled: true,
            routes,
        }
    }

    /// A point of "telegraf"."autogen" written as line protocol.
    fn point(line: &str) -> Point {
        parse_line(line.as_bytes(), Precision::Nanosecond)
            .unwrap()
            .to_point("telegraf", "autogen", 0)
    }

    fn routed(index: &RouteIndex, scratch: &mut Scratch, point: &Point) -> Vec<TaskIndex> {
        index
            .tasks_for(scratch, &point.database, &point.retention_policy, point)
            .collect()
    }

    static HOST_A: &[Route] = &[Route {
        database: "telegraf",
        retention_policy: "autogen",
        measurement: Some("cpu"),
        tags: &[("host", "a")],
    }];
    static HOST_B: &[Route] = &[Route {
        database: "telegraf",
        retention_policy: "autogen",
        measurement: Some("cpu"),
        tags: &[("host", "b")],
    }];

    static CPU: &[Route] = &[Route {
        database: "telegraf",
        retention_policy: "autogen",
        measurement: Some("cpu"),
        tags: &[],
    }];

    #[test]
    fn points_reach_the_tasks_of_their_measurement_and_tag_only() {
        let tasks = [
            task("a", Routes::Only(HOST_A)),
            task("b", Routes::Only(HOST_B)),
            task("cpu", Routes::Only(CPU)),
            task("all", Routes::Dbrps),
            task("batch", Routes::Only(&[])),
        ];
        let index = RouteIndex::new(&tasks);
        let mut scratch = Scratch::default();
        let on = |p: &Point, scratch: &mut Scratch| routed(&index, scratch, p);
        assert_eq!(on(&point("cpu,host=a v=1"), &mut scratch), [0, 2, 3]);
        assert_eq!(on(&point("cpu,host=b v=1"), &mut scratch), [1, 2, 3]);
        assert_eq!(on(&point("cpu,host=c v=1"), &mut scratch), [2, 3]);
        assert_eq!(on(&point("cpu v=1"), &mut scratch), [2, 3]);
        assert_eq!(on(&point("mem,host=a v=1"), &mut scratch), [3]);
        let mut elsewhere = point("cpu,host=a v=1");
        elsewhere.retention_policy = "other".into();
        assert!(on(&elsewhere, &mut scratch).is_empty());
        assert!(index.reads("telegraf", "autogen"));
        assert!(!index.reads("telegraf", "other"));
    }

    #[test]
    fn a_route_with_several_equalities_needs_them_all() {
        static BOTH: &[Route] = &[Route {
            database: "telegraf",
            retention_policy: "autogen",
            measurement: None,
            tags: &[("host", "a"), ("dc", "west")],
        }];
        let tasks = [
            task("both", Routes::Only(BOTH)),
            task("a", Routes::Only(HOST_A)),
        ];
        let index = RouteIndex::new(&tasks);
        let mut scratch = Scratch::default();
        let both = point("cpu,dc=west,host=a v=1");
        assert_eq!(routed(&index, &mut scratch, &both), [0, 1]);
        let host_only = point("cpu,dc=east,host=a v=1");
        assert_eq!(routed(&index, &mut scratch, &host_only), [1]);
        let dc_only = point("mem,dc=west,host=b v=1");
        assert!(routed(&index, &mut scratch, &dc_only).is_empty());
        // The counts of the last point are forgotten: the same point again routes the same.
        assert_eq!(routed(&index, &mut scratch, &both), [0, 1]);
        assert_eq!(routed(&index, &mut scratch, &both), [0, 1]);
    }

    #[test]
    fn a_field_named_like_the_tag_reaches_the_task_when_the_tag_is_absent() {
        let tasks = [
            task("a", Routes::Only(HOST_A)),
            task("b", Routes::Only(HOST_B)),
        ];
        let index = RouteIndex::new(&tasks);
        let mut scratch = Scratch::default();
        let by_field = point("cpu host=\"a\",v=1");
        assert_eq!(routed(&index, &mut scratch, &by_field), [0, 1]);
        // With a tag too, the lambda fails on the conflict: the tag decides.
        let conflicted = point("cpu,host=b host=\"b\"");
        assert_eq!(routed(&index, &mut scratch, &conflicted), [1]);
    }

    #[test]
    fn a_task_with_several_routes_gets_each_point_once() {
        static TWO: &[Route] = &[
            Route {
                database: "telegraf",
                retention_policy: "autogen",
                measurement: Some("cpu"),
                tags: &[("host", "a")],
            },
            Route {
                database: "telegraf",
                retention_policy: "autogen",
                measurement: None,
                tags: &[],
            },
            Route {
                database: "other",
                retention_policy: "autogen",
                measurement: Some("cpu"),
                tags: &[],
            },
        ];
        let index = RouteIndex::new(&[task("two", Routes::Only(TWO))]);
        let mut scratch = Scratch::default();
        assert_eq!(routed(&index, &mut scratch, &point("cpu,host=a v=1")), [0]);
        let mut other = point("cpu v=1");
        other.database = "other".into();
        assert_eq!(routed(&index, &mut scratch, &other), [0]);
        other.name = "mem".into();
        assert!(routed(&index, &mut scratch, &other).is_empty());
    }

    #[test]
    fn a_line_routes_as_its_point_does() {
        let tasks = [
            task("a", Routes::Only(HOST_A)),
            task("b", Routes::Only(HOST_B)),
            task("cpu", Routes::Only(CPU)),
        ];
        let index = RouteIndex::new(&tasks);
        let mut scratch = Scratch::default();
        let lines: &[&[u8]] = &[
            b"cpu,host=a v=1 1",
            b"cpu,host=b v=1 1",
            b"cpu,host=c v=1 1",
            b"cpu host=\"a\" 1",
            b"cpu,dc=x v=1 1",
            b"mem,host=a v=1 1",
            b"c\\ pu,host=a v=1 1",
        ];
        let mut series = SeriesCache::<RouteMemo>::default();
        // Twice: the second time the series' memos answer.
        for line in lines.iter().chain(lines) {
            let view = parse_line(line, Precision::Nanosecond).unwrap();
            let point = view.to_point("telegraf", "autogen", 0);
            let expected = routed(&index, &mut scratch, &point);
            let from_view: Vec<_> = index
                .tasks_for(&mut scratch, &Str::from_static("telegraf"), &Str::from_static("autogen"), &view)
                .collect();
            assert_eq!(from_view, expected, "{}", String::from_utf8_lossy(line));
            let read = series.read(line, Precision::Nanosecond).unwrap();
            let from_series: Vec<_> = index.tasks_for(&mut scratch, &Str::from_static("telegraf"), &Str::from_static("autogen"), &read).collect();
            assert_eq!(from_series, expected, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn a_series_remembers_its_tasks_unless_its_fields_decided() {
        let tasks = [task("a", Routes::Only(HOST_A)), task("cpu", Routes::Only(CPU))];
        let index = RouteIndex::new(&tasks);
        let mut scratch = Scratch::default();
        let mut on = |index: &RouteIndex, rp: &str, point: &Point, memo: &RouteMemo| -> Vec<TaskIndex> {
            index.tasks_for(&mut scratch, &Str::from_static("telegraf"), &Str::from(rp), &Memoized { point, memo }).collect()
        };
        let memo = RouteMemo::default();
        assert_eq!(on(&index, "autogen", &point("cpu,host=a v=1"), &memo), [0, 1]);
        // The memo answers for its series, whatever the point (here one of another series).
        assert_eq!(on(&index, "autogen", &point("cpu,host=b v=1"), &memo), [0, 1]);
        // Not for another retention policy, or another index: they decide again.
        assert!(on(&index, "other", &point("cpu,host=b v=1"), &memo).is_empty());
        assert_eq!(on(&index, "autogen", &point("cpu,host=b v=1"), &memo), [1]);
        let rebuilt = RouteIndex::new(&tasks);
        assert_eq!(on(&rebuilt, "autogen", &point("cpu,host=a v=1"), &memo), [0, 1]);
        // A decision that read a field (no host tag, a host field) is not remembered.
        let untagged = RouteMemo::default();
        assert_eq!(on(&index, "autogen", &point("cpu host=\"a\",v=1"), &untagged), [0, 1]);
        assert_eq!(on(&index, "autogen", &point("cpu v=1"), &untagged), [1]);
    }

    #[test]
    fn series_memos_follow_the_cache_that_numbers_the_series() {
        let tasks = [task("a", Routes::Only(HOST_A)), task("cpu", Routes::Only(CPU))];
        let index = RouteIndex::new(&tasks);
        let (mut scratch, mut memos) = (Scratch::default(), SeriesTable::<RouteMemo>::default());
        // Two series at most: a third starts the cache over, and positions are given anew.
        let mut cache = SeriesCache::<()>::with_capacity(2);
        let mut route = |line: &str| -> (SeriesId, Vec<TaskIndex>) {
            let series = cache.read(line.as_bytes(), Precision::Nanosecond).unwrap().id();
            let point = point(line);
            let memo = memos.get(series);
            let tasks = index.tasks_for(&mut scratch, &Str::from_static("telegraf"), &Str::from_static("autogen"), &Memoized { point: &point, memo });
            (series, tasks.collect())
        };
        let (a, to_a) = route("cpu,host=a v=1");
        let (b, to_b) = route("cpu,host=b v=1");
        assert_eq!((to_a, to_b), (vec![0, 1], vec![1]));
        assert_eq!(route("cpu,host=a v=2"), (a, vec![0, 1]), "the same series, remembered");
        assert_ne!(a, b);
        let (c, to_c) = route("cpu,host=c v=1");
        assert_eq!((c.generation, c.position), (a.generation + 1, a.position), "the cache started over");
        assert_eq!(to_c, [1], "not what the series at that position decided before");
    }

    #[test]
    fn a_hundred_hosts_reach_one_task_each() {
        let routes: Vec<Route> = (0..100)
            .map(|i| {
                let host: &'static str = format!("host{i:03}").leak();
                let tags: &'static [(&'static str, &'static str)] = vec![("host", host)].leak();
                route(Some("cpu"), tags)
            })
            .collect();
        let routes: &'static [Route] = routes.leak();
        let tasks: Vec<TaskDescriptor> = routes
            .chunks(1)
            .map(|r| task("t", Routes::Only(r)))
            .collect();
        let index = RouteIndex::new(&tasks);
        let mut scratch = Scratch::default();
        for i in 0..100 {
            let host = format!("host{i:03}");
            let p = point(&format!("cpu,cpu=cpu-total,host={host} usage_idle=1"));
            assert_eq!(routed(&index, &mut scratch, &p), [i]);
        }
    }
}
