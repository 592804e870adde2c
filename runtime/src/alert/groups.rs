//! The alert node's groups by key. Consecutive messages mostly belong to the same group (an
//! ungrouped task has one; telegraf writes a host's series together), so the group found last
//! is tried first, by its position, before the key is hashed at all.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::point::GroupKey;

/// Groups `G` by key, in a vector indexed by a hash map of positions.
///
/// Group keys come from the data, so anyone who writes points chooses them: the map's hasher is
/// seeded at random (foldhash), so colliding keys cannot be prepared in advance.
#[derive(Debug)]
pub(super) struct Groups<G> {
    entries: Vec<(GroupKey, G)>,
    /// Where each key's entry lies in `entries`.
    positions: HashMap<GroupKey, usize, RandomState>,
    /// The position found last. It may name another group since (or none): it is only a guess,
    /// checked against the key at that position.
    last: usize,
}

/// A key's place in [`Groups`]: its group, or room for one.
pub(super) enum Slot<'g, G> {
    Occupied(&'g mut G),
    Vacant(Vacant<'g, G>),
}

/// Where a group for `key` would go.
pub(super) struct Vacant<'g, G> {
    groups: &'g mut Groups<G>,
    key: GroupKey,
}

impl<G> Default for Groups<G> {
    fn default() -> Self {
        Groups {
            entries: Vec::new(),
            positions: HashMap::default(),
            last: 0,
        }
    }
}

impl<G> Groups<G> {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The group of `key`, or the room to insert one.
    pub fn slot(&mut self, key: &GroupKey) -> Slot<'_, G> {
        let guessed = self.entries.get(self.last).is_some_and(|(k, _)| k == key);
        let position = if guessed { Some(self.last) } else { self.positions.get(key).copied() };
        match position {
            Some(at) => {
                self.last = at;
                match self.entries.get_mut(at) {
                    Some((_, group)) => Slot::Occupied(group),
                    None => unreachable!("positions name entries"),
                }
            }
            None => Slot::Vacant(Vacant { groups: self, key: key.clone() }),
        }
    }

    /// Forgets the group of `key`, returning it.
    pub fn remove(&mut self, key: &GroupKey) -> Option<G> {
        let at = self.positions.remove(key)?;
        let (_, group) = self.entries.swap_remove(at);
        if let Some((moved, _)) = self.entries.get(at)
            && let Some(position) = self.positions.get_mut(moved)
        {
            *position = at;
        }
        Some(group)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&GroupKey, &G)> {
        self.entries.iter().map(|(k, g)| (k, g))
    }
}

impl<'g, G> Vacant<'g, G> {
    pub fn insert(self, group: G) -> &'g mut G {
        let Vacant { groups, key } = self;
        let at = groups.entries.len();
        groups.positions.insert(key.clone(), at);
        groups.entries.push((key, group));
        groups.last = at;
        match groups.entries.last_mut() {
            Some((_, group)) => group,
            None => unreachable!("just pushed"),
        }
    }
}

/// A later group of the same key replaces an earlier one, as in a map.
impl<G> FromIterator<(GroupKey, G)> for Groups<G> {
    fn from_iter<I: IntoIterator<Item = (GroupKey, G)>>(iter: I) -> Self {
        let mut groups = Groups::default();
        for (key, group) in iter {
            match groups.slot(&key) {
                Slot::Occupied(known) => *known = group,
                Slot::Vacant(room) => {
                    room.insert(group);
                }
            }
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    fn key(k: u8) -> GroupKey {
        GroupKey(format!("host={k}").into())
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// Find the group, making it (with the value) when it is missing; add one to it.
        Touch(u8, u32),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u8..8, any::<u32>()).prop_map(|(k, v)| Op::Touch(k, v)),
            1 => (0u8..8).prop_map(Op::Remove),
        ]
    }

    proptest! {
        /// Whatever the order of finds, inserts and removals (which move the last entry into
        /// the hole), the groups behave as a plain map.
        #[test]
        fn groups_behave_as_a_map(ops in proptest::collection::vec(op(), 0..200)) {
            let mut groups = Groups::default();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Touch(k, v) => {
                        let (key, expected) = (key(k), model.entry(k).or_insert(v));
                        *expected += 1;
                        let found = match groups.slot(&key) {
                            Slot::Occupied(group) => group,
                            Slot::Vacant(room) => room.insert(v),
                        };
                        *found += 1;
                        prop_assert_eq!(*found, *expected);
                    }
                    Op::Remove(k) => prop_assert_eq!(groups.remove(&key(k)), model.remove(&k)),
                }
                prop_assert_eq!(groups.len(), model.len());
            }
            let mut seen: Vec<_> = groups.iter().map(|(k, g)| (k.as_str().to_owned(), *g)).collect();
            seen.sort();
            let expected: Vec<_> = model.iter().map(|(k, g)| (key(*k).as_str().to_owned(), *g)).collect();
            prop_assert_eq!(seen, expected);
        }
    }

    #[test]
    fn a_later_duplicate_replaces_an_earlier_one() {
        let groups: Groups<u32> = [(key(1), 1), (key(2), 2), (key(1), 3)].into_iter().collect();
        let mut seen: Vec<_> = groups.iter().map(|(k, g)| (k.as_str(), *g)).collect();
        seen.sort();
        assert_eq!(seen, [("host=1", 3), ("host=2", 2)]);
    }
}
