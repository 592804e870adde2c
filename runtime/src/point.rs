//! The data model that flows between nodes: points, batches, their tags, fields and groups.
//!
//! Tags and fields are kept sorted by name in small vectors: tasks touch a handful of them, a
//! binary search beats hashing at that size, and sorted order is what every output format
//! (line protocol, Kapacitor's JSON rows) wants anyway.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

mod intern;
mod str;
mod tag_names;

pub use self::intern::{intern_str, intern_tags};
pub use self::str::Str;
pub use self::tag_names::TagNames;

/// Nanoseconds since the Unix epoch (data time).
pub type Time = i64;

/// A field's value as InfluxDB line protocol carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FieldValue {
    Float(f64),
    Int(i64),
    String(String),
    Bool(bool),
}

impl FieldValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldValue::Float(_) => "float",
            FieldValue::Int(_) => "int",
            FieldValue::String(_) => "string",
            FieldValue::Bool(_) => "bool",
        }
    }
}

/// Name/value pairs kept sorted by name, with unique names.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SortedMap<V> {
    entries: Vec<(Str, V)>,
}

impl<V> Default for SortedMap<V> {
    fn default() -> Self {
        SortedMap { entries: Vec::new() }
    }
}

pub type Fields = SortedMap<FieldValue>;

impl<V> SortedMap<V> {
    pub fn new() -> Self {
        SortedMap { entries: Vec::new() }
    }

    pub fn with_capacity(n: usize) -> Self {
        SortedMap { entries: Vec::with_capacity(n) }
    }

    /// Builds from pairs in any order; a later duplicate name replaces an earlier one.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Str, V)>) -> Self {
        let mut m = SortedMap::new();
        for (k, v) in pairs {
            m.insert(k, v);
        }
        m
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        self.position(name).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        self.position(name).ok().map(move |i| &mut self.entries[i].1)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets `name` to `value`, returning the previous value.
    pub fn insert(&mut self, name: impl Into<Str>, value: V) -> Option<V> {
        let name = name.into();
        // Names mostly come in order (writers sort them, and so do maps built from maps):
        // then one comparison places them, not a search.
        if self.entries.last().is_none_or(|(last, _)| last.as_str() < name.as_str()) {
            self.entries.push((name, value));
            return None;
        }
        match self.position(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (name, value));
                None
            }
        }
    }

    /// How many entries the map has room for without allocating.
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// The bytes of that room.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.entries.capacity().saturating_mul(std::mem::size_of::<(Str, V)>())
    }

    /// Makes room for `additional` more entries, and no more.
    pub fn reserve_exact(&mut self, additional: usize) {
        self.entries.reserve_exact(additional);
    }

    /// Moves the entries, in order, to the end of `out`, keeping the map's memory.
    pub(crate) fn drain_into(&mut self, out: &mut Vec<(Str, V)>) {
        out.append(&mut self.entries);
    }

    /// Empties the map, with room for `entries` entries: in its own memory when that fits
    /// them without holding much more (memory left by a wide point and reused for a narrow one
    /// would stay with it for as long as a task keeps the point).
    #[inline]
    pub(crate) fn clear_for(&mut self, entries: usize) {
        self.entries.clear();
        let room = self.entries.capacity();
        if room < entries {
            self.entries.reserve_exact(entries);
        } else if room > 2 * entries + 8 {
            self.shrink_for(entries);
        }
    }

    /// Out of line: rare, and kept off the path of every point read.
    #[cold]
    #[inline(never)]
    fn shrink_for(&mut self, entries: usize) {
        self.entries = Vec::with_capacity(entries);
    }

    /// Makes the map a copy of `entries`, which the caller knows are sorted by name, each
    /// name once, in the map's own memory.
    pub(crate) fn copy_sorted(&mut self, entries: &[(Str, V)])
    where
        V: Clone,
    {
        debug_assert!(entries.windows(2).all(|pair| pair[0].0 < pair[1].0), "entries out of order");
        self.clear_for(entries.len());
        self.entries.extend_from_slice(entries);
    }

    /// Appends `name`, which the caller knows sorts after every name in the map.
    pub(crate) fn push_in_order(&mut self, name: Str, value: V) {
        debug_assert!(self.entries.last().is_none_or(|(last, _)| *last < name), "{name:?} out of order");
        self.entries.push((name, value));
    }

    pub fn remove(&mut self, name: &str) -> Option<V> {
        self.position(name).ok().map(|i| self.entries.remove(i).1)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&str, &V) -> bool) {
        self.entries.retain(|(k, v)| keep(k, v));
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &V)> + DoubleEndedIterator {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The entries with their shared names, for building another map without copying text.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (&Str, &V)> + DoubleEndedIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    fn iter_pairs(&self) -> <&Self as IntoIterator>::IntoIter {
        self.into_iter()
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

impl<V: fmt::Debug> fmt::Debug for SortedMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries.iter().map(|(k, v)| (k, v))).finish()
    }
}

impl<K: Into<Str>, V> FromIterator<(K, V)> for SortedMap<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        SortedMap::from_pairs(iter.into_iter().map(|(k, v)| (k.into(), v)))
    }
}

impl<'a, V> IntoIterator for &'a SortedMap<V> {
    type Item = (&'a str, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (Str, V)>, fn(&'a (Str, V)) -> (&'a str, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// A point's or a batch's tags. The tags of one series are the same on every point of it, so
/// they are shared: a clone is a reference count (or nothing, for interned tags: see
/// [`intern_tags`]), and a change (`insert`, `remove`...) copies them first when they are
/// shared. Reading goes through [`SortedMap`].
#[derive(Clone)]
pub struct Tags(TagsRepr);

/// The map, and which names it may hold: the bits fit beside the variant's tag, so tags stay
/// two words.
#[derive(Clone)]
enum TagsRepr {
    Shared(Arc<SortedMap<Str>>, NameBits),
    Static(&'static SortedMap<Str>, NameBits),
}

const _: () = assert!(std::mem::size_of::<Tags>() == 16);

/// Which names a set of tags may hold, one bit for each name's hash: a name whose bit is clear
/// is not there, known without reading the tags. Lambdas ask the tags of every point whether
/// they hold the field they read (a name that is both is an error), and a series' shared tags
/// are often out of cache while its fresh fields are not. Removing a tag leaves its bit: the
/// bits may only say too much.
#[derive(Clone, Copy)]
struct NameBits(u32);

impl NameBits {
    fn of(map: &SortedMap<Str>) -> NameBits {
        NameBits(map.iter().fold(0, |bits, (name, _)| bits | NameBits::bit(name)))
    }

    /// The bit of `name`: its length and its first and last bytes, mixed.
    #[inline]
    fn bit(name: &str) -> u32 {
        let bytes = name.as_bytes();
        let first = u32::from(bytes.first().copied().unwrap_or(0));
        let last = u32::from(bytes.last().copied().unwrap_or(0));
        let hash = (bytes.len() as u32).wrapping_mul(31).wrapping_add(first * 7).wrapping_add(last);
        1 << (hash % 32)
    }

    #[inline]
    fn may_hold(self, name: &str) -> bool {
        self.0 & NameBits::bit(name) != 0
    }
}

/// What empty tags point to: no allocation, no count.
static NO_TAGS: SortedMap<Str> = SortedMap { entries: Vec::new() };

impl Default for Tags {
    fn default() -> Self {
        Tags::from_static(&NO_TAGS)
    }
}

impl PartialEq for Tags {
    fn eq(&self, other: &Tags) -> bool {
        std::ptr::eq::<SortedMap<Str>>(&**self, &**other) || **self == **other
    }
}

impl Eq for Tags {}

impl Serialize for Tags {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        SortedMap::deserialize(deserializer).map(Tags::shared)
    }
}

impl Tags {
    pub fn new() -> Self {
        Tags::default()
    }

    /// Whether both are the very same shared map: cheaper than comparing, and false for
    /// equal copies.
    pub fn same(&self, other: &Tags) -> bool {
        match (&self.0, &other.0) {
            (TagsRepr::Shared(a, _), TagsRepr::Shared(b, _)) => Arc::ptr_eq(a, b),
            (TagsRepr::Static(a, _), TagsRepr::Static(b, _)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (Str, Str)>) -> Self {
        Tags::shared(SortedMap::from_pairs(pairs))
    }

    fn shared(map: SortedMap<Str>) -> Self {
        let names = NameBits::of(&map);
        Tags(TagsRepr::Shared(Arc::new(map), names))
    }

    fn from_static(map: &'static SortedMap<Str>) -> Self {
        Tags(TagsRepr::Static(map, NameBits::of(map)))
    }

    /// Whether a tag `name` may be here; `false` is sure, and reads only the tags' handle.
    #[inline]
    pub fn may_hold(&self, name: &str) -> bool {
        match &self.0 {
            TagsRepr::Shared(_, names) | TagsRepr::Static(_, names) => names.may_hold(name),
        }
    }

    /// The map, to change, copied first when shared, with the bits for its names.
    fn make_mut(&mut self) -> (&mut SortedMap<Str>, &mut NameBits) {
        if let TagsRepr::Static(map, names) = self.0 {
            self.0 = TagsRepr::Shared(Arc::new(map.clone()), names);
        }
        match &mut self.0 {
            TagsRepr::Shared(map, names) => (Arc::make_mut(map), names),
            TagsRepr::Static(..) => unreachable!("made shared above"),
        }
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Str> {
        self.make_mut().0.get_mut(name)
    }

    /// Sets tag `name` to `value`, returning the previous value.
    pub fn insert(&mut self, name: impl Into<Str>, value: impl Into<Str>) -> Option<Str> {
        let name = name.into();
        let (map, names) = self.make_mut();
        names.0 |= NameBits::bit(&name);
        map.insert(name, value.into())
    }

    pub fn remove(&mut self, name: &str) -> Option<Str> {
        if !self.contains(name) {
            return None;
        }
        self.make_mut().0.remove(name)
    }

    /// Keeps the tags `keep` accepts, asking once per tag; shared tags are copied only when
    /// one goes.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &Str) -> bool) {
        let Some(first_dropped) = self.iter().position(|(k, v)| !keep(k, v)) else {
            return;
        };
        let mut index = 0;
        self.make_mut().0.entries.retain(|(k, v)| {
            let at = index;
            index += 1;
            match at.cmp(&first_dropped) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Equal => false,
                std::cmp::Ordering::Greater => keep(k, v),
            }
        });
    }

    pub fn clear(&mut self) {
        if !self.is_empty() {
            *self = Tags::default();
        }
    }
}

impl std::ops::Deref for Tags {
    type Target = SortedMap<Str>;
    fn deref(&self) -> &SortedMap<Str> {
        match &self.0 {
            TagsRepr::Shared(map, _) => map,
            TagsRepr::Static(map, _) => map,
        }
    }
}

impl fmt::Debug for Tags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl<K: Into<Str>, T: Into<Str>> FromIterator<(K, T)> for Tags {
    fn from_iter<I: IntoIterator<Item = (K, T)>>(iter: I) -> Self {
        Tags::from_pairs(iter.into_iter().map(|(k, v)| (k.into(), v.into())))
    }
}

impl<'a> IntoIterator for &'a Tags {
    type Item = (&'a str, &'a Str);
    type IntoIter = <&'a SortedMap<Str> as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (**self).iter_pairs()
    }
}

/// How a stream is grouped: by which tags, and whether the measurement is part of the group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Dimensions {
    pub by_measurement: bool,
    /// Sorted tag names, shared by every point of the grouping.
    pub tag_names: TagNames,
}

/// The identity of a group, as Kapacitor spells it (`models.ToGroupID`): the measurement and a
/// newline when grouped by measurement, then `tag=value` pairs in tag-name order, comma-separated
/// (`cpu\nhost=a,dc=x`); the empty group is the empty string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupKey(pub Str);

impl GroupKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A map by group. Group keys are spelled from tag values the network sends, so the hash is
/// keyed (a random seed per map, against collision floods) yet fast on short keys: foldhash,
/// where the standard SipHash was a tenth of a windowing task's time.
pub type GroupMap<V> = std::collections::HashMap<GroupKey, V, foldhash::fast::RandomState>;

/// A set of groups, hashed as [`GroupMap`] is.
pub type GroupSet = std::collections::HashSet<GroupKey, foldhash::fast::RandomState>;

/// One data point.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub database: Str,
    pub retention_policy: Str,
    pub name: Str,
    pub tags: Tags,
    pub fields: Fields,
    pub time: Time,
    pub dimensions: Dimensions,
    pub group: GroupKey,
}

/// One point inside a batch; the batch carries the name and the group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchPoint {
    pub time: Time,
    pub fields: Fields,
    pub tags: Tags,
}

/// A batch: a window's contents or a query's result for one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub name: Str,
    /// The batch's time: a window's emit time, a query's stop time (Kapacitor's `TMax`).
    pub time: Time,
    /// The group's tags (the dimensions' values).
    pub tags: Tags,
    pub dimensions: Dimensions,
    pub group: GroupKey,
    pub points: Vec<BatchPoint>,
}

/// What travels on an edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Message {
    Point(Point),
    Batch(Batch),
    /// No data of `group` older than `time` will follow (a `|barrier()` promise): nodes that
    /// wait for later data to close something (a window, a join set) may close it now.
    Barrier { group: GroupKey, time: Time },
    /// `group` is gone: every node forgets what it keeps for it.
    DeleteGroup { group: GroupKey },
}

impl Message {
    /// Takes the message, leaving in its place a barrier that promises nothing (no data older
    /// than the earliest time): for handing on a message that was lent, whose place is not
    /// looked at again. Costs no allocation.
    pub fn take(&mut self) -> Message {
        std::mem::replace(self, Message::Barrier { group: GroupKey::default(), time: Time::MIN })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_cleared_for_fewer_entries_keeps_little_more_room_than_they_need() {
        let mut wide: Fields = SortedMap::with_capacity(100);
        wide.clear_for(2);
        assert!((2..100).contains(&wide.capacity()), "{}", wide.capacity());
        let mut close: Fields = SortedMap::with_capacity(10);
        close.insert("a", FieldValue::Int(1));
        close.clear_for(2);
        assert!(close.is_empty());
        assert_eq!(close.capacity(), 10, "near enough: its memory is kept");
    }

    #[test]
    fn a_taken_message_leaves_a_barrier_that_promises_nothing() {
        let mut lent = Message::Barrier { group: GroupKey("host=a".into()), time: 5 };
        assert_eq!(lent.take(), Message::Barrier { group: GroupKey("host=a".into()), time: 5 });
        assert_eq!(lent, Message::Barrier { group: GroupKey::default(), time: Time::MIN });
    }

    proptest::proptest! {
        /// Inserting in order (the appending shortcut) or not, a map holds what a `BTreeMap` does.
        #[test]
        fn inserts_keep_names_sorted_and_unique(
            pairs in proptest::collection::vec(("[a-d]{0,3}", 0..100_i32), 0..20),
            sorted: bool,
        ) {
            let mut pairs = pairs;
            if sorted {
                pairs.sort();
            }
            let mut map = SortedMap::new();
            let mut expected = std::collections::BTreeMap::new();
            for (name, value) in pairs {
                proptest::prop_assert_eq!(map.insert(name.as_str(), value), expected.insert(name, value));
            }
            let entries: Vec<(&str, &i32)> = map.iter().collect();
            let expected: Vec<(&str, &i32)> = expected.iter().map(|(k, v)| (k.as_str(), v)).collect();
            proptest::prop_assert_eq!(entries, expected);
        }
    }

    proptest::proptest! {
        /// Tags built, changed and interned any way say they may hold every name they hold.
        #[test]
        fn tags_may_hold_every_name_they_hold(
            names in proptest::collection::vec("[a-z_]{0,12}", 0..8),
            inserted in proptest::collection::vec("[a-z_]{0,12}", 0..4),
            removed in 0usize..8,
            probes in proptest::collection::vec("[a-z_]{0,12}", 0..16),
        ) {
            let mut tags: Tags = names.iter().map(|n| (n.clone(), "v".to_owned())).collect();
            let mut versions = vec![tags.clone(), intern_tags(&tags)];
            for name in &inserted {
                tags.insert(name.as_str(), "w");
                versions.push(tags.clone());
            }
            if let Some(name) = names.get(removed) {
                tags.remove(name);
            }
            tags.retain(|name, _| name.len() % 3 != 0);
            versions.push(tags.clone());
            let mut interned = intern_tags(&tags);
            interned.insert("added", "x");
            versions.push(interned);
            for tags in &versions {
                for name in tags.keys().chain(probes.iter().map(String::as_str)) {
                    proptest::prop_assert!(!tags.contains(name) || tags.may_hold(name), "{name:?} in {tags:?}");
                }
            }
        }
    }

    #[test]
    fn tags_retain_asks_once_per_tag_and_leaves_shared_copies_alone() {
        let shared: Tags = [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")].into_iter().collect();
        let mut tags = shared.clone();
        let mut asked = Vec::new();
        tags.retain(|k, _| {
            asked.push(k.to_owned());
            k != "b" && k != "d"
        });
        assert_eq!(asked, ["a", "b", "c", "d"]);
        assert_eq!(tags.keys().collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(shared.len(), 4);
    }
}
