//! Groups: the key Kapacitor gives a point's group, how nodes regroup, and per-group node state.
//!
//! Kapacitor keys a group by the measurement (when grouped by measurement, ended by a newline, a
//! character a measurement cannot contain) and then `tag=value` for every dimension in order,
//! comma-separated: `cpu\nhost=a,region=eu`, `host=a`, `cpu`, or the empty string when
//! ungrouped. Alert templates show this string as `.Group`, so it is spelled exactly.


use crate::point::{Batch, Dimensions, GroupKey, GroupMap, Point, Str, TagNames, Tags};

/// The group of a point or batch named `name` with `tags`, grouped by `dimensions`. A
/// dimension the tags lack takes the empty value (`host=`), as in Kapacitor.
pub fn group_key(name: &str, tags: &Tags, dimensions: &Dimensions) -> GroupKey {
    if dimensions.tag_names.is_empty() {
        return if dimensions.by_measurement {
            GroupKey(name.into())
        } else {
            GroupKey::default()
        };
    }
    let mut key = String::with_capacity(name.len() + 16 * dimensions.tag_names.len());
    if dimensions.by_measurement {
        key.push_str(name);
        key.push('\n');
    }
    for (i, tag) in dimensions.tag_names.iter().enumerate() {
        if i > 0 {
            key.push(',');
        }
        key.push_str(tag);
        key.push('=');
        key.push_str(tags.get(tag).map_or("", crate::point::Str::as_str));
    }
    GroupKey(key.into())
}

/// Recomputes a point's group after its name, tags or dimensions changed.
pub fn regroup_point(point: &mut Point) {
    point.group = group_key(&point.name, &point.tags, &point.dimensions);
}

/// The value of every dimension of `dimensions` in `tags` (what Kapacitor calls the group's
/// tags). A dimension the point lacks gets the empty string, as in Kapacitor's group info, so
/// a batch of such a group carries `tag=""`.
pub fn group_tags(tags: &Tags, dimensions: &Dimensions) -> Tags {
    dimensions
        .tag_names
        .iter()
        .map(|name| (name.clone(), tags.get(name).cloned().unwrap_or_default()))
        .collect()
}

/// Gives a batch new dimensions: its tags become the dimensions' values (missing ones empty)
/// and its group follows, as when Kapacitor sets a batch's tags and dimensions together.
pub fn set_batch_dimensions(batch: &mut Batch, tags: &Tags, dimensions: Dimensions) {
    batch.tags = group_tags(tags, &dimensions);
    batch.dimensions = dimensions;
    batch.group = group_key(&batch.name, &batch.tags, &batch.dimensions);
}

/// Gives a batch new tags: its dimensions become exactly those tag names (Kapacitor's rule when
/// a node edits a batch's tags, as default and delete do).
pub fn set_batch_tags(batch: &mut Batch, tags: Tags) {
    batch.dimensions.tag_names = tags.entries().map(|(k, _)| k.clone()).collect();
    batch.tags = tags;
    batch.group = group_key(&batch.name, &batch.tags, &batch.dimensions);
}

/// The tag names to group by: the configured names, or with `*` every tag of the point (sorted)
/// except the excluded ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// No grouping by tags.
    #[default]
    Nothing,
    /// These tags (sorted and deduplicated when built with [`GroupBy::tags`]).
    Tags(TagNames),
    /// `*`: every tag the point has, minus these.
    AllExcept(Vec<String>),
}

impl GroupBy {
    /// Grouping by the named tags, in the sorted order Kapacitor uses for dimensions.
    pub fn tags(names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let mut names: Vec<String> = names.into_iter().map(Into::into).collect();
        names.sort_unstable();
        names.dedup();
        if names.is_empty() {
            GroupBy::Nothing
        } else {
            GroupBy::Tags(names.into_iter().map(Str::from).collect())
        }
    }

    /// The dimension tag names for a point with `tags`.
    pub fn tag_names(&self, tags: &Tags) -> TagNames {
        match self {
            GroupBy::Nothing => TagNames::default(),
            GroupBy::Tags(names) => names.clone(),
            GroupBy::AllExcept(excluded) => tags
                .entries()
                .filter(|(k, _)| !excluded.iter().any(|x| x == k.as_str()))
                .map(|(k, _)| k.clone())
                .collect(),
        }
    }
}

/// Node state kept per group, created on a group's first message.
///
/// A state type of size zero holds nothing, so [`GroupStates::get`] keeps no map for it:
/// lambdas without stateful functions (the common case) cost no lookup per point.
#[derive(Debug)]
pub struct GroupStates<S> {
    index: GroupMap<usize>,
    /// The states, and beside them their keys (so a removal can move the last one into the
    /// hole and fix its index).
    states: Vec<S>,
    keys: Vec<GroupKey>,
}

impl<S> Default for GroupStates<S> {
    fn default() -> Self {
        GroupStates {
            index: GroupMap::default(),
            states: Vec::new(),
            keys: Vec::new(),
        }
    }
}

impl<S: Default> GroupStates<S> {
    /// The state of `group`, created with `S::default()` if new.
    pub fn get(&mut self, group: &GroupKey) -> StateRef<'_, S> {
        if size_of::<S>() == 0 {
            return StateRef::Fresh(S::default());
        }
        StateRef::Kept(self.get_or_insert_with(group, S::default))
    }
}

impl<S> GroupStates<S> {
    /// The state of `group`, created with `make` if new.
    pub fn get_or_insert_with(&mut self, group: &GroupKey, make: impl FnOnce() -> S) -> &mut S {
        // An index into a vector rather than the map's own entry: the entry API would need an
        // owned key, a string copy for every point.
        let index = match self.index.get(group) {
            Some(&index) => index,
            None => {
                self.states.push(make());
                self.keys.push(group.clone());
                let index = self.states.len() - 1;
                self.index.insert(group.clone(), index);
                index
            }
        };
        &mut self.states[index]
    }

    /// Forgets `group`'s state (a delete-group message).
    pub fn remove(&mut self, group: &GroupKey) -> Option<S> {
        let index = self.index.remove(group)?;
        self.keys.swap_remove(index);
        if let Some(moved) = self.keys.get(index)
            && let Some(slot) = self.index.get_mut(moved)
        {
            *slot = index;
        }
        Some(self.states.swap_remove(index))
    }

    /// How many groups have state (Kapacitor's `working_cardinality`).
    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }
}

/// A group's state: kept in the map, or a fresh value for state types of size zero.
#[derive(Debug)]
pub enum StateRef<'a, S> {
    Kept(&'a mut S),
    Fresh(S),
}

impl<S> std::ops::Deref for StateRef<'_, S> {
    type Target = S;
    fn deref(&self) -> &S {
        match self {
            StateRef::Kept(s) => s,
            StateRef::Fresh(s) => s,
        }
    }
}

impl<S> std::ops::DerefMut for StateRef<'_, S> {
    fn deref_mut(&mut self) -> &mut S {
        match self {
            StateRef::Kept(s) => s,
            StateRef::Fresh(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn dims(by_measurement: bool, names: &[&str]) -> Dimensions {
        Dimensions {
            by_measurement,
            tag_names: names.iter().map(|s| crate::point::Str::from(*s)).collect(),
        }
    }

    #[test]
    fn keys_are_spelled_as_kapacitor_spells_them() {
        let t = tags(&[("host", "web01"), ("dc", "ams"), ("rack", "r1")]);
        assert_eq!(group_key("cpu", &t, &dims(false, &[])).as_str(), "");
        assert_eq!(group_key("cpu", &t, &dims(true, &[])).as_str(), "cpu");
        assert_eq!(
            group_key("cpu", &t, &dims(false, &["dc", "host"])).as_str(),
            "dc=ams,host=web01"
        );
        assert_eq!(
            group_key("cpu", &t, &dims(true, &["host"])).as_str(),
            "cpu\nhost=web01"
        );
        assert_eq!(
            group_key("cpu", &t, &dims(false, &["zone"])).as_str(),
            "zone="
        );
    }

    #[test]
    fn star_groups_by_every_tag_but_the_excluded() {
        let t = tags(&[("host", "a"), ("dc", "d"), ("rack", "r")]);
        let by = GroupBy::AllExcept(vec!["host".into()]);
        assert_eq!(*by.tag_names(&t), ["dc", "rack"]);
        assert_eq!(
            *GroupBy::tags(["host", "dc", "host"]).tag_names(&t),
            ["dc", "host"]
        );
        assert_eq!(GroupBy::tags(Vec::<String>::new()), GroupBy::Nothing);
    }

    #[test]
    fn batch_dimensions_fill_missing_tags() {
        let mut b = Batch {
            name: "m".into(),
            time: 0,
            tags: Tags::new(),
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
            points: vec![],
        };
        set_batch_dimensions(
            &mut b,
            &tags(&[("host", "a"), ("x", "y")]),
            dims(false, &["dc", "host"]),
        );
        assert_eq!(b.group.as_str(), "dc=,host=a");
        assert_eq!(format!("{:?}", b.tags), r#"{"dc": "", "host": "a"}"#);
        set_batch_tags(&mut b, tags(&[("host", "a")]));
        assert_eq!(*b.dimensions.tag_names, ["host"]);
        assert_eq!(b.group.as_str(), "host=a");
    }

    #[test]
    fn states_are_kept_per_group_unless_they_hold_nothing() {
        let mut counts: GroupStates<u32> = GroupStates::default();
        *counts.get(&GroupKey("a".into())) += 1;
        *counts.get(&GroupKey("a".into())) += 1;
        *counts.get(&GroupKey("b".into())) += 1;
        assert_eq!(*counts.get(&GroupKey("a".into())), 2);
        assert_eq!(counts.len(), 2);

        assert_eq!(counts.remove(&GroupKey("a".into())), Some(2));
        assert_eq!(counts.remove(&GroupKey("a".into())), None);
        *counts.get(&GroupKey("c".into())) += 5;
        assert_eq!(*counts.get(&GroupKey("b".into())), 1);
        assert_eq!(*counts.get(&GroupKey("c".into())), 5);
        assert_eq!(counts.len(), 2);

        let mut nothing: GroupStates<()> = GroupStates::default();
        nothing.get(&GroupKey("a".into()));
        assert!(nothing.is_empty());
    }

    #[test]
    fn keeps_only_dimension_tags_and_fills_missing_ones() {
        let tags = Tags::from_iter([("host", "a"), ("dc", "east")]);
        let dims = Dimensions {
            by_measurement: false,
            tag_names: ["host", "rack"].map(crate::point::Str::from).into(),
        };
        let got = group_tags(&tags, &dims);
        assert_eq!(format!("{got:?}"), r#"{"host": "a", "rack": ""}"#);
    }
}
