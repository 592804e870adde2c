//! Reading lines into points without decoding their series again.
//!
//! Line protocol repeats each series' key (`cpu,host=a,region=eu`) on every line. A
//! [`SeriesCache`] checks and decodes a key once; a later line with the same key as written is
//! known good without a second check, and its point gets the same shared measurement and tags,
//! and the same field names when the fields come in the same order. So reading a line of a
//! known series checks and decodes its fields once, and building its point allocates only the
//! field list (and its string values). The cache is bounded: when it holds `capacity` series it
//! starts over, so series that come and go cost nothing once they are gone.
//!
//! The names (measurement, field names) are interned, and so are the tags of a series once it
//! has sent [`REGULAR_AFTER`] points: its points then carry no reference count at all (see
//! [`crate::point::intern_tags`] for why that matters and how it is bounded).
//!
//! Each series also keeps a value of the caller's (`M`): what the caller worked out for the
//! series once, such as which tasks its points go to.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rustc_hash::FxHasher;

use super::error::LineError;
use super::escape::{NAME_ESCAPES, unescape, unescaped_eq};
use super::field::{FieldSink, FieldValueRef, read_fields, scan_field};
use super::field_names::{FieldNames, KnownName};
use super::key::{Tags as LineTags, key_end, scan_key};
use super::line::{LineView, scan_timestamp};
use super::whitespace::skip_whitespace;
use crate::point::{Dimensions, Fields, GroupKey, Point, Str, Tags, Time, intern_str, intern_tags};
use crate::time::Precision;

/// How many series a cache keeps unless told otherwise: far more than a task set usually sees
/// at once, and a few megabytes at most.
pub const DEFAULT_SERIES: usize = 16_384;

/// Points a series sends before its tags are interned: series that come and go never are.
pub const REGULAR_AFTER: u32 = 64;

/// The decoded keys of recently seen series, by their key as written.
///
/// Writers such as Telegraf send their series in the same order at every flush, so the cache
/// also remembers which series followed each one: a line that starts with the key of the
/// series that followed the last line's series the time before is known by one comparison,
/// without looking for its end or hashing it.
#[derive(Debug)]
pub struct SeriesCache<M = ()> {
    /// Positions in `series`, by key as written.
    by_key: HashMap<Box<[u8]>, usize, BuildHasherDefault<FxHasher>>,
    series: Vec<Series<M>>,
    capacity: usize,
    /// The position of the last line's series.
    last: Option<usize>,
    /// The last timestamp read, as written.
    last_time: LastTimestamp,
    /// How many times the cache started over.
    generation: u64,
}

/// A series' identity in its cache, for a caller that keeps what it knows of series apart
/// from the cache (on another thread): its position, valid in one generation of the cache
/// (each time the cache starts over, positions are given anew).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesId {
    pub generation: u64,
    /// Below the cache's capacity.
    pub position: usize,
}

/// What a caller keeps per series of a [`SeriesCache`] apart from it, by [`SeriesId`]: for
/// the cache's current generation only, so bounded as the cache is.
#[derive(Debug, Default)]
pub struct SeriesTable<T> {
    generation: u64,
    entries: Vec<T>,
}

impl<T: Default> SeriesTable<T> {
    /// The entry of `series` (a default one at first); a new generation of the cache forgets
    /// the old one's.
    pub fn get(&mut self, series: SeriesId) -> &mut T {
        if series.generation != self.generation {
            self.entries.clear();
            self.generation = series.generation;
        }
        if series.position >= self.entries.len() {
            self.entries.resize_with(series.position + 1, T::default);
        }
        &mut self.entries[series.position]
    }
}

/// The text after a line's field set when it held a good timestamp, and what it read as.
///
/// Writers stamp the lines of one flush alike (Telegraf gives every point of a gather the
/// same time), so a line's timestamp is mostly the bytes the previous line had: one comparison
/// instead of reading up to 19 digits. Only good timestamps are kept: an error's offset
/// depends on where the text sits in its line.
#[derive(Debug, Default)]
struct LastTimestamp {
    text: [u8; LastTimestamp::MAX_TEXT],
    /// 0 when nothing is kept.
    len: usize,
    precision: Precision,
    time: Option<Time>,
}

impl LastTimestamp {
    /// A space and 19 digits, with room for a sign and a few spaces more.
    const MAX_TEXT: usize = 24;

    /// Reads the timestamp in `line` after the field set ending at `from`.
    fn read(&mut self, line: &[u8], from: usize, precision: Precision) -> Result<Option<Time>, LineError> {
        let rest = line.get(from..).unwrap_or_default();
        if self.len != 0 && precision == self.precision && rest == &self.text[..self.len] {
            return Ok(self.time);
        }
        let time = scan_timestamp(line, from, precision)?;
        if let Some(text) = self.text.get_mut(..rest.len()).filter(|_| !rest.is_empty()) {
            text.copy_from_slice(rest);
            self.len = rest.len();
            self.precision = precision;
            self.time = time;
        }
        Ok(time)
    }
}

/// One series' decoded key, the field names its last point had (in order), and the caller's
/// value.
#[derive(Debug)]
struct Series<M> {
    /// The key as written (the measurement and tags, escapes unresolved).
    key: Box<[u8]>,
    /// The position of the series whose line came next the last time.
    next: Option<usize>,
    name: Str,
    tags: Tags,
    /// Points read, up to [`REGULAR_AFTER`].
    points: u32,
    field_names: FieldNames,
    memo: M,
}

impl<M> Default for SeriesCache<M> {
    fn default() -> Self {
        SeriesCache::with_capacity(DEFAULT_SERIES)
    }
}

impl<M> SeriesCache<M> {
    /// A cache of at most `capacity` series (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        SeriesCache {
            by_key: HashMap::default(),
            series: Vec::new(),
            capacity: capacity.max(1),
            last: None,
            last_time: LastTimestamp::default(),
            generation: 0,
        }
    }

    /// How many series the cache holds.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// The series that came after the last line's series the time before, and where its key
    /// ends, when `line`'s key (from `start`) is that series' key. The same bytes followed by
    /// a space end the key in the same place: whether that space is escaped depends only on
    /// the bytes before it.
    fn predicted(&self, line: &[u8], start: usize) -> Option<(usize, usize)> {
        let position = self.series.get(self.last?)?.next?;
        let key = &self.series.get(position)?.key;
        let end = start + key.len();
        (line.get(start..end)? == &key[..] && line.get(end) == Some(&b' ')).then_some((end, position))
    }
}

impl<M: Default> SeriesCache<M> {
    /// Checks the key of `line` (one line, not blank, not a comment, without its line ending)
    /// and finds its series; its fields and timestamp, in `precision` units, are checked when
    /// the returned line is read ([`SeriesLine::point`], [`SeriesLine::check`]).
    pub fn read<'c, 'l>(&'c mut self, line: &'l [u8], precision: Precision) -> Result<SeriesLine<'c, 'l, M>, LineError> {
        let start = skip_whitespace(line, 0);
        let known = self.predicted(line, start).or_else(|| {
            key_end(line, start)
                .and_then(|end| Some((end, *self.by_key.get(line.get(start..end)?)?)))
                .filter(|&(_, position)| position < self.series.len())
        });
        let mut changed = known.is_none();
        let (end, position) = match known {
            Some(found) => found,
            None => {
                let key = scan_key(line, start)?;
                if self.series.len() >= self.capacity {
                    self.series.clear();
                    self.by_key.clear();
                    self.last = None;
                    self.generation += 1;
                }
                let slice = |(from, to): (usize, usize)| line.get(from..to).unwrap_or_default();
                self.series.push(Series {
                    key: slice((start, key.end)).into(),
                    next: None,
                    name: intern_str(&unescape(slice(key.measurement), NAME_ESCAPES)),
                    tags: LineTags::new(slice(key.tags)).collect(),
                    points: 0,
                    field_names: FieldNames::default(),
                    memo: M::default(),
                });
                let position = self.series.len() - 1;
                self.by_key.insert(slice((start, key.end)).into(), position);
                (key.end, position)
            }
        };
        if let Some(last) = self.last.and_then(|last| self.series.get_mut(last)) {
            last.next = Some(position);
        }
        self.last = Some(position);
        // In bounds: checked above, or the series just pushed.
        let series = &mut self.series[position];
        if series.points < REGULAR_AFTER {
            series.points += 1;
            if series.points == REGULAR_AFTER {
                series.tags = intern_tags(&series.tags);
                changed = true;
            }
        }
        Ok(SeriesLine {
            id: SeriesId { generation: self.generation, position },
            changed,
            series,
            last_time: &mut self.last_time,
            line,
            fields_start: skip_whitespace(line, end),
            precision,
        })
    }
}

/// A line whose key is checked and whose series is known. Its fields and timestamp are checked
/// (once) when it is read.
#[derive(Debug)]
pub struct SeriesLine<'c, 'l, M> {
    id: SeriesId,
    /// The series is new to the cache, or its tags were interned reading this line.
    changed: bool,
    series: &'c mut Series<M>,
    last_time: &'c mut LastTimestamp,
    line: &'l [u8],
    fields_start: usize,
    precision: Precision,
}

impl<'c, M> SeriesLine<'c, '_, M> {
    /// The measurement, shared by the series' points.
    pub fn name(&self) -> &Str {
        &self.series.name
    }

    /// The tags, shared by the series' points.
    pub fn tags(&self) -> &Tags {
        &self.series.tags
    }

    /// The series' identity in the cache.
    pub fn id(&self) -> SeriesId {
        self.id
    }

    /// Whether the series' name or tags are not those its last line had: it is new to the
    /// cache (in this generation), or its tags have just been interned. A caller that keeps
    /// them by [`SeriesId`] takes them again then.
    pub fn series_changed(&self) -> bool {
        self.changed
    }

    /// The caller's value for this series.
    pub fn memo(&self) -> &M {
        &self.series.memo
    }

    /// Whether the line has a field `name`, looked for before the fields are checked (what a
    /// bad line says does not matter: it is rejected when read).
    pub fn has_field(&self, name: &str) -> bool {
        let mut pos = self.fields_start;
        while let Ok((field, end)) = scan_field(self.line, pos) {
            if unescaped_eq(field.key, NAME_ESCAPES, name) {
                return true;
            }
            match self.line.get(end) {
                Some(b',') => pos = end + 1,
                _ => return false,
            }
        }
        false
    }

    /// Checks the fields and the timestamp without building a point.
    pub fn check(&mut self) -> Result<(), LineError> {
        let end = read_fields(self.line, self.fields_start, Some(&mut self.series.field_names), &mut ())?;
        self.last_time.read(self.line, end, self.precision).map(drop)
    }

    /// The point of the line, in `database`.`retention_policy`, its fields read into the
    /// memory of `fields` (emptied first); a line without a timestamp is stamped `now` (rounded
    /// down to the precision, as [`LineView::time_or`] does). A field written twice keeps its
    /// last value, as in InfluxDB.
    pub fn point(&mut self, mut fields: Fields, database: &Str, retention_policy: &Str, now: Time) -> Result<Point, LineError> {
        let time = self.fields_in(&mut fields)?;
        let time = time.unwrap_or_else(|| self.precision.truncate(now));
        Ok(self.build(database, retention_policy, fields, time))
    }

    /// Checks and decodes the fields into `fields` (emptied first; its memory is reused), and
    /// the timestamp, if there is one.
    pub fn fields_in(&mut self, fields: &mut Fields) -> Result<Option<Time>, LineError> {
        // Sized for the fields the series' last line had.
        let mut reused = PointFields { fields: std::mem::take(fields), in_order: true };
        reused.fields.clear_for(self.series.field_names.count().max(1));
        let end = read_fields(self.line, self.fields_start, Some(&mut self.series.field_names), &mut reused)?;
        *fields = reused.fields;
        self.last_time.read(self.line, end, self.precision)
    }

    fn build(&self, database: &Str, retention_policy: &Str, fields: Fields, time: Time) -> Point {
        Point {
            database: database.clone(),
            retention_policy: retention_policy.clone(),
            name: self.series.name.clone(),
            tags: self.series.tags.clone(),
            fields,
            time,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }
}

/// Builds a point's fields from decoded values, named by the series' kept names when they
/// know the key. While every key so far was known and sorted after the one before, a field
/// is appended without comparing names.
struct PointFields {
    fields: Fields,
    in_order: bool,
}

impl PointFields {
    fn with_capacity(capacity: usize) -> Self {
        PointFields {
            fields: Fields::with_capacity(capacity),
            in_order: true,
        }
    }
}

impl<'a> FieldSink<'a> for PointFields {
    fn field(&mut self, key: &'a [u8], name: Option<KnownName<'_>>, value: FieldValueRef<'a>) {
        let (name, sorts_after_previous) = match name {
            Some(known) => (known.name.clone(), known.sorts_after_previous),
            None => (intern_str(&unescape(key, NAME_ESCAPES)), false),
        };
        self.in_order &= sorts_after_previous;
        if self.in_order {
            self.fields.push_in_order(name, value.into_owned());
        } else {
            self.fields.insert(name, value.into_owned());
        }
    }
}

/// The point a checked line describes, decoded from scratch (no cache).
pub(super) fn uncached_point(line: &LineView<'_>, database: &Str, retention_policy: &Str, now: Time) -> Point {
    let mut fields = PointFields::with_capacity(1);
    // The line was checked when it was parsed: its fields read.
    let _ = read_fields(line.raw_fields(), 0, None, &mut fields);
    Point {
        database: database.clone(),
        retention_policy: retention_policy.clone(),
        name: line.measurement().into(),
        tags: line.tags().collect(),
        fields: fields.fields,
        time: line.time_or(now),
        dimensions: Dimensions::default(),
        group: GroupKey::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lineproto::parse_line;
    use crate::point::FieldValue;

    fn point(cache: &mut SeriesCache, line: &str) -> Point {
        cache
            .read(line.as_bytes(), Precision::Nanosecond)
            .and_then(|mut l| l.point(Fields::default(), &Str::from("db"), &Str::from("rp"), 7))
            .unwrap()
    }

    /// What the cache makes of `line` (the error's text, when it refuses it).
    fn cached(cache: &mut SeriesCache, line: &[u8], precision: Precision) -> Result<Point, String> {
        cache
            .read(line, precision)
            .and_then(|mut l| l.point(Fields::default(), &Str::from("db"), &Str::from("rp"), 7))
            .map_err(|e| e.to_string())
    }

    /// What `parse_line` and `to_point` make of `line`.
    fn uncached(line: &[u8], precision: Precision) -> Result<Point, String> {
        parse_line(line, precision)
            .map(|view| view.to_point("db", "rp", 7))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_regular_series_gets_interned_tags_and_a_passing_one_does_not() {
        let mut cache = SeriesCache::default();
        let regular = "regular_series,host=r1 v=1";
        let early = point(&mut cache, regular);
        point(&mut cache, "passing_series,host=p1 v=1");
        for _ in 1..REGULAR_AFTER {
            point(&mut cache, regular);
        }
        let late = point(&mut cache, regular);
        assert_eq!(early.tags, late.tags);
        let interned = intern_tags(&late.tags);
        assert!(std::ptr::eq::<crate::point::SortedMap<Str>>(&*late.tags, &*interned));
        assert!(!std::ptr::eq::<crate::point::SortedMap<Str>>(&*early.tags, &*interned));
        // Names are interned from the first point.
        assert!(std::ptr::eq(early.name.as_str(), late.name.as_str()));
    }

    #[test]
    fn points_of_a_series_share_its_names() {
        let mut cache = SeriesCache::default();
        let a = point(&mut cache, "cpu,host=a,dc=x usage_idle=80,usage_user=1i 1");
        let b = point(&mut cache, "cpu,host=a,dc=x usage_idle=70,usage_user=2i 2");
        assert_eq!(cache.len(), 1);
        assert!(std::ptr::eq(a.name.as_str(), b.name.as_str()));
        let a_host = a.tags.get("host").unwrap();
        assert!(std::ptr::eq(a_host.as_str(), b.tags.get("host").unwrap().as_str()));
        let a_key = a.fields.entries().next().unwrap().0;
        assert!(std::ptr::eq(a_key.as_str(), b.fields.entries().next().unwrap().0.as_str()));
        assert_eq!(b.fields.get("usage_idle"), Some(&FieldValue::Float(70.0)));
        assert_eq!(b.fields.get("usage_user"), Some(&FieldValue::Int(2)));
        assert_eq!((a.time, b.time), (1, 2));
    }

    #[test]
    fn reads_what_an_uncached_read_reads() {
        let mut cache = SeriesCache::default();
        for line in [
            "cpu,host=a v=1,w=2 5",
            "cpu,host=a w=3,v=4",
            // Keys that start as the kept ones do, or escape what follows them.
            "cpu,host=a vx=1,w=2 5",
            r"cpu,host=a v\=1=2,w=3 5",
            r"cpu,host=a v\ =1,w=3 5",
            "cpu,host=a v=1.5,w=-2.,x=.5,y=1.2.3 5",
            "cpu,host=a v=1.5,w=-2.,x=.5,y=12i 5",
            "cpu,host=a v=1.5,w=-2.,x=.5,y=1e3,z=- 5",
            "cpu,host=a x=\"s\",v=1,v=9 5",
            "cpu,host=a v=1x 5",
            "cpu,host=a v=1 5x",
            "  cpu,host=a  v=2  6  ",
            r"c\ pu,h\,ost=a\ b f\=x=1,g=t 5",
            r"c\ pu,h\,ost=a\ b f\=x=2,g=f 6",
            r"cpu,host=a a\b=1,a\,b=2,z=3 5",
            r"cpu,host=a a\b=3,a\,b=4,z=5 6",
            "cpu,host=a,host=b v=1",
            "cpu,host=a,host=b v=1",
            "cpu,host=a",
            "cpu,host=a\\ v=1",
        ] {
            assert_eq!(
                cached(&mut cache, line.as_bytes(), Precision::Second),
                uncached(line.as_bytes(), Precision::Second),
                "{line}"
            );
        }
    }

    #[test]
    fn checks_without_building() {
        let mut cache = SeriesCache::<()>::default();
        let check = |cache: &mut SeriesCache, line: &str| {
            cache.read(line.as_bytes(), Precision::Nanosecond).and_then(|mut l| l.check()).map_err(|e| e.to_string())
        };
        assert_eq!(check(&mut cache, "cpu,host=a v=1 1"), Ok(()));
        assert_eq!(check(&mut cache, "cpu,host=a v=1 x"), Err("bad timestamp (expected an integer) at byte 15".to_owned()));
        assert_eq!(check(&mut cache, "cpu,host=a v=\"x 1"), Err("unbalanced quotes at byte 13".to_owned()));
    }

    #[test]
    fn fields_are_read_into_the_map_given_with_the_timestamp_if_any() {
        let mut cache = SeriesCache::<()>::default();
        let mut fields = Fields::from_pairs([(Str::from("old"), FieldValue::Int(1))]);
        let mut read = |line: &str, fields: &mut Fields| cache.read(line.as_bytes(), Precision::Second).unwrap().fields_in(fields).unwrap();
        assert_eq!(read("cpu v=1,w=2i 2", &mut fields), Some(2_000_000_000));
        assert_eq!(fields, Fields::from_pairs([(Str::from("v"), FieldValue::Float(1.0)), (Str::from("w"), FieldValue::Int(2))]));
        assert_eq!(read("cpu v=3", &mut fields), None);
        assert_eq!(fields, Fields::from_pairs([(Str::from("v"), FieldValue::Float(3.0))]));
    }

    #[test]
    fn a_series_has_changed_when_new_and_when_its_tags_are_interned() {
        let mut cache = SeriesCache::<()>::default();
        let changed: Vec<u32> = (1..=REGULAR_AFTER + 1)
            .filter(|_| cache.read(b"cpu,host=a v=1", Precision::Second).unwrap().series_changed())
            .collect();
        assert_eq!(changed, [1, REGULAR_AFTER]);
    }

    #[test]
    fn finds_fields_before_they_are_checked() {
        let mut cache = SeriesCache::<()>::default();
        let line = cache.read(br"cpu,host=a v=1,h\ st=2,w=x host=3", Precision::Second).unwrap();
        assert!(line.has_field("v") && line.has_field("h st") && line.has_field("w"));
        assert!(!line.has_field("host") && !line.has_field("x"));
    }

    #[test]
    fn starts_over_when_full() {
        let mut cache = SeriesCache::with_capacity(3);
        for host in 0..10 {
            point(&mut cache, &format!("cpu,host=h{host} v=1 1"));
            assert!(cache.len() <= 3);
        }
        let p = point(&mut cache, "cpu,host=h9 v=2 1");
        assert_eq!(p.tags.get("host").map(Str::as_str), Some("h9"));
    }

    #[test]
    fn a_series_that_follows_as_before_is_known_and_a_lookalike_is_not_taken_for_it() {
        let mut cache = SeriesCache::default();
        // Keys that start as the one predicted next does: longer, escaped space, other tags.
        let rounds = [
            ["cpu,host=a v=1 1", "cpu,host=b v=2 1", r"cpu,host=a\ b v=3 1", "cpu,host=c v=4 1"],
            ["cpu,host=a v=5 2", "cpu,host=bb v=6 2", r"cpu,host=a\ b\ c v=7 2", "cpu,host=c,x=y v=8 2"],
            ["cpu,host=a v=9 3", "cpu,host=b v=10 3", r"cpu,host=a\ b v=11 3", "cpu,host=c v=12 3"],
            ["cpu,host=a  v=13 4", "cpu,host=b v=14 4", "cpu,host=b v=15 4", "cpu,host=a v=16 4"],
        ];
        for line in rounds.iter().flatten() {
            assert_eq!(
                cached(&mut cache, line.as_bytes(), Precision::Second),
                uncached(line.as_bytes(), Precision::Second),
                "{line}"
            );
        }
        assert_eq!(cache.len(), 7);
    }

    /// A timestamp written as the last line's reads as it did, under the same precision only,
    /// and an error still points into its own line.
    #[test]
    fn a_repeated_timestamp_reads_as_before_in_its_precision() {
        let mut cache = SeriesCache::default();
        let lines: [(&[u8], Precision); 7] = [
            (b"m v=1 1700000000", Precision::Second),
            (b"m,t=a v=2 1700000000", Precision::Second),
            (b"m,t=a v=2 1700000000", Precision::Millisecond),
            (b"m v=1 1700000000 ", Precision::Millisecond),
            (b"m v=1 1700000000x", Precision::Millisecond),
            (b"m,t=abc v=1 1700000000x", Precision::Millisecond),
            (b"m v=1 99999999999999999999", Precision::Millisecond),
        ];
        for (line, precision) in lines.iter().chain(&lines) {
            assert_eq!(
                cached(&mut cache, line, *precision),
                uncached(line, *precision),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        assert_eq!(
            cached(&mut cache, b"m v=1 1700000000", Precision::Second).map(|p| p.time),
            Ok(1_700_000_000_000_000_000)
        );
    }

    proptest::proptest! {
        /// A line reads the same through the cache, seen before or not, as through `parse_line`.
        #[test]
        fn the_cache_reads_as_parse_line_does(
            lines in proptest::collection::vec(
                ("[a-c ,=\"\\\\.#0-9eitfu-]{0,40}", proptest::bool::ANY),
                1..12,
            ),
        ) {
            let mut cache = SeriesCache::with_capacity(4);
            for (line, in_seconds) in lines.iter().chain(&lines) {
                let text = crate::lineproto::lines(line.as_bytes()).next();
                let Some(text) = text.map(|l| l.text) else { continue };
                let precision = if *in_seconds { Precision::Second } else { Precision::Nanosecond };
                proptest::prop_assert_eq!(
                    cached(&mut cache, text, precision),
                    uncached(text, precision),
                    "{:?}", line
                );
            }
        }
    }
}
