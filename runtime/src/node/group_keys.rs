//! Giving points their group without spelling the group key for each one.
//!
//! A node that groups points (`from` with `.groupBy()`, `|groupBy()`) gives every point of a
//! series the same dimensions and the same key: the series' tags are one shared map (ingest
//! builds it once per series, see [`crate::lineproto::SeriesCache`]), so the grouping is worked
//! out once per tag map and measurement and then shared, a reference count per point instead of
//! a key written out and allocated. The remembered tag maps are held, so an address seen again
//! is the same map, unchanged (shared maps are copied before any change). The series of one
//! group share one copy of its key, so the nodes below find a group by comparing addresses
//! rather than text. The cache is bounded: when it holds [`CAPACITY`] tag maps it starts over.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rustc_hash::FxHasher;

use super::group::{GroupBy, group_key};
use crate::point::{Dimensions, GroupKey, GroupSet, Point, SortedMap, Str, Tags};

/// How many tag maps are remembered: more series than a task usually sees at once, and a
/// megabyte or so at most.
const CAPACITY: usize = 8192;

/// Groups points by `group_by` (and the measurement, when asked), remembering the result per
/// shared tag map.
#[derive(Debug, Default)]
pub struct GroupKeys {
    /// By the address of the tag map.
    known: HashMap<usize, Known, BuildHasherDefault<FxHasher>>,
    /// The keys of `known`, once each.
    keys: GroupSet,
}

/// The grouping of points with one tag map.
#[derive(Debug)]
struct Known {
    /// Held so the address keeps naming this map.
    _tags: Tags,
    name: Str,
    dimensions: Dimensions,
    group: GroupKey,
}

impl GroupKeys {
    /// Gives `point` the dimensions of `group_by` (by measurement too when `by_measurement`)
    /// and the group they make.
    pub fn regroup(&mut self, point: &mut Point, group_by: &GroupBy, by_measurement: bool) {
        if *group_by == GroupBy::Nothing {
            // No tags to look at: nothing worth remembering.
            point.dimensions = Dimensions { by_measurement, tag_names: Default::default() };
            point.group = if by_measurement { GroupKey(point.name.clone()) } else { GroupKey::default() };
            return;
        }
        let address = std::ptr::from_ref::<SortedMap<Str>>(&*point.tags) as usize;
        if let Some(known) = self.known.get(&address)
            && known.name == point.name
            && known.dimensions.by_measurement == by_measurement
        {
            point.dimensions = known.dimensions.clone();
            point.group = known.group.clone();
            return;
        }
        point.dimensions = Dimensions { by_measurement, tag_names: group_by.tag_names(&point.tags) };
        if self.known.len() >= CAPACITY {
            self.known.clear();
            self.keys.clear();
        }
        let group = group_key(&point.name, &point.tags, &point.dimensions);
        point.group = match self.keys.get(&group) {
            Some(shared) => shared.clone(),
            None => {
                self.keys.insert(group.clone());
                group
            }
        };
        self.known.insert(
            address,
            Known {
                _tags: point.tags.clone(),
                name: point.name.clone(),
                dimensions: point.dimensions.clone(),
                group: point.group.clone(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::Fields;

    fn point(name: &str, tags: &Tags) -> Point {
        Point {
            database: "db".into(),
            retention_policy: "rp".into(),
            name: name.into(),
            tags: tags.clone(),
            fields: Fields::new(),
            time: 0,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }

    /// What regrouping gives, as the plain functions spell it.
    fn expected(p: &Point, group_by: &GroupBy, by_measurement: bool) -> (Dimensions, GroupKey) {
        let dimensions = Dimensions { by_measurement, tag_names: group_by.tag_names(&p.tags) };
        let group = group_key(&p.name, &p.tags, &dimensions);
        (dimensions, group)
    }

    #[test]
    fn a_remembered_grouping_is_the_one_worked_out() {
        let a: Tags = [("host", "a"), ("dc", "x")].into_iter().collect();
        let b: Tags = [("host", "b"), ("dc", "x")].into_iter().collect();
        let by_host = GroupBy::tags(["host"]);
        let mut keys = GroupKeys::default();
        for (name, tags, by, by_measurement) in [
            ("cpu", &a, &by_host, false),
            ("cpu", &b, &by_host, false),
            ("cpu", &a, &by_host, false),
            // Same tags, another measurement or grouping by it: not the remembered key.
            ("mem", &a, &by_host, true),
            ("cpu", &a, &by_host, true),
            ("cpu", &a, &GroupBy::AllExcept(vec!["host".into()]), false),
            ("cpu", &a, &GroupBy::Nothing, true),
            ("cpu", &a, &GroupBy::Nothing, false),
        ] {
            let mut p = point(name, tags);
            keys.regroup(&mut p, by, by_measurement);
            assert_eq!((p.dimensions.clone(), p.group.clone()), expected(&p, by, by_measurement), "{name} {by:?}");
        }
        let mut again = point("cpu", &b);
        keys.regroup(&mut again, &by_host, false);
        assert_eq!(again.group.as_str(), "host=b");
    }

    /// Series of one group get the same copy of its key.
    #[test]
    fn a_groups_series_share_its_key() {
        let a: Tags = [("host", "a"), ("cpu", "0")].into_iter().collect();
        let b: Tags = [("host", "a"), ("cpu", "1")].into_iter().collect();
        let by_host = GroupBy::tags(["host"]);
        let mut keys = GroupKeys::default();
        let (mut pa, mut pb) = (point("cpu", &a), point("cpu", &b));
        keys.regroup(&mut pa, &by_host, false);
        keys.regroup(&mut pb, &by_host, false);
        assert_eq!(pa.group.as_str(), "host=a");
        assert!(std::ptr::eq(pa.group.as_str(), pb.group.as_str()));
    }

    /// A changed copy of remembered tags is another map, grouped afresh.
    #[test]
    fn changed_tags_are_grouped_afresh() {
        let tags: Tags = [("host", "a")].into_iter().collect();
        let by_host = GroupBy::tags(["host"]);
        let mut keys = GroupKeys::default();
        let mut p = point("cpu", &tags);
        keys.regroup(&mut p, &by_host, false);
        p.tags.insert("host", "z");
        keys.regroup(&mut p, &by_host, false);
        assert_eq!(p.group.as_str(), "host=z");
    }

    #[test]
    fn the_cache_is_bounded() {
        let by_host = GroupBy::tags(["host"]);
        let mut keys = GroupKeys::default();
        for i in 0..CAPACITY + 10 {
            let tags: Tags = [("host", format!("h{i}"))].into_iter().collect();
            let mut p = point("cpu", &tags);
            keys.regroup(&mut p, &by_host, false);
            assert_eq!(p.group.as_str(), format!("host=h{i}"));
        }
        assert!(keys.known.len() <= CAPACITY);
    }
}
