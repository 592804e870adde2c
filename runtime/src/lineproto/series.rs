//! Building points from checked lines without building their names again.
//!
//! Line protocol repeats each series' key (`cpu,host=a,region=eu`) on every line. A
//! [`SeriesCache`] decodes a key once and hands every later point of that series the same shared
//! measurement and tags, and the same field names when the fields come in the same order, so
//! building a point allocates only its field list (and its string values). The cache is
//! bounded: when it holds `capacity` series it starts over, so series that come and go cost
//! nothing once they are gone.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rustc_hash::FxHasher;

use super::escape::{NAME_ESCAPES, unescape};
use super::field::decode_value;
use super::line::LineView;
use crate::point::{Dimensions, Fields, GroupKey, Point, Str, Tags, Time};

/// How many series a cache keeps unless told otherwise: far more than a task set usually sees
/// at once, and a few megabytes at most.
pub const DEFAULT_SERIES: usize = 16_384;

/// Field names kept per series; a line with more fields decodes the rest each time.
const MAX_CACHED_FIELD_NAMES: usize = 64;

/// The decoded keys of recently seen series, by their key as written.
#[derive(Debug)]
pub struct SeriesCache {
    series: HashMap<Box<[u8]>, Series, BuildHasherDefault<FxHasher>>,
    capacity: usize,
}

/// One series' decoded key, and the field names its last point had, in order.
#[derive(Debug)]
struct Series {
    name: Str,
    tags: Tags,
    field_names: Vec<Str>,
}

impl Default for SeriesCache {
    fn default() -> Self {
        SeriesCache::with_capacity(DEFAULT_SERIES)
    }
}

impl SeriesCache {
    /// A cache of at most `capacity` series (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        SeriesCache { series: HashMap::default(), capacity: capacity.max(1) }
    }

    /// The point `line` describes, in `database`.`retention_policy`; a line without a timestamp
    /// is stamped `now`, as [`LineView::time_or`] does.
    pub fn point(&mut self, line: &LineView<'_>, database: &Str, retention_policy: &Str, now: Time) -> Point {
        let key = line.series_key();
        if let Some(series) = self.series.get_mut(key) {
            return series.point(line, database, retention_policy, now);
        }
        if self.series.len() >= self.capacity {
            self.series.clear();
        }
        let mut series = Series::of(line);
        let point = series.point(line, database, retention_policy, now);
        self.series.insert(key.into(), series);
        point
    }

    /// How many series the cache holds.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}

impl Series {
    fn of(line: &LineView<'_>) -> Self {
        Series {
            name: line.measurement().into(),
            tags: line.tags().collect(),
            field_names: Vec::new(),
        }
    }

    /// A point of this series from `line` (whose key is this series'). A field written twice
    /// keeps its last value, as in InfluxDB.
    fn point(&mut self, line: &LineView<'_>, database: &Str, retention_policy: &Str, now: Time) -> Point {
        let mut fields = Fields::new();
        let mut raw_fields = line.fields();
        let mut index = 0;
        while let Some(field) = raw_fields.next_raw() {
            // The line was checked when it was parsed: its values decode.
            let Ok(value) = decode_value(field.value) else { continue };
            let name = match self.field_names.get(index) {
                Some(known) if known.as_bytes() == field.key && !field.key.contains(&b'\\') => known.clone(),
                _ => {
                    let name = Str::from(unescape(field.key, NAME_ESCAPES));
                    if let Some(slot) = self.field_names.get_mut(index) {
                        *slot = name.clone();
                    } else if index < MAX_CACHED_FIELD_NAMES {
                        self.field_names.push(name.clone());
                    }
                    name
                }
            };
            fields.insert(name, value.into_owned());
            index += 1;
        }
        Point {
            database: database.clone(),
            retention_policy: retention_policy.clone(),
            name: self.name.clone(),
            tags: self.tags.clone(),
            fields,
            time: line.time_or(now),
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }
}

/// The point `line` describes, decoded from scratch (no cache).
pub(super) fn uncached_point(line: &LineView<'_>, database: &Str, retention_policy: &Str, now: Time) -> Point {
    Series::of(line).point(line, database, retention_policy, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lineproto::parse_line;
    use crate::point::FieldValue;
    use crate::time::Precision;

    fn point(cache: &mut SeriesCache, line: &str) -> Point {
        let view = parse_line(line.as_bytes(), Precision::Nanosecond).unwrap();
        cache.point(&view, &Str::from("db"), &Str::from("rp"), 7)
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
    fn builds_what_an_uncached_read_builds() {
        let mut cache = SeriesCache::default();
        for line in [
            "cpu,host=a v=1,w=2 5",
            "cpu,host=a w=3,v=4",
            "cpu,host=a x=\"s\",v=1,v=9 5",
            r"c\ pu,h\,ost=a\ b f\=x=1,g=t 5",
            r"c\ pu,h\,ost=a\ b f\=x=2,g=f 6",
        ] {
            let view = parse_line(line.as_bytes(), Precision::Nanosecond).unwrap();
            let (db, rp) = (Str::from("db"), Str::from("rp"));
            assert_eq!(cache.point(&view, &db, &rp, 7), uncached_point(&view, &db, &rp, 7), "{line}");
        }
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
}
