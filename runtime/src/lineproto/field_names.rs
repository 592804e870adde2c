//! The field keys a series' last line had, in order, kept so that the next line's keys are
//! recognised by one comparison each instead of being scanned byte by byte.
//!
//! A series usually writes the same fields in the same order on every line. A key is kept
//! only when it reads as written (no backslash, valid UTF-8), as an interned name: the bytes
//! of the line are then the name, and a point can take the name without decoding the key.
//! Each kept name also knows whether it sorts after the one before it, so a point's field list
//! can be built in order without comparing names.

use crate::point::{Str, intern_str};

/// Keys kept per series; a line with more fields scans the rest each time.
const MAX_KEPT: usize = 64;

#[derive(Debug, Default)]
pub(crate) struct FieldNames {
    /// By position in the field set.
    names: Vec<Kept>,
}

#[derive(Debug)]
struct Kept {
    /// Empty in place of a key that does not read as written (no key is empty).
    name: Str,
    /// Whether the name sorts after the previous position's name (true for the first).
    sorts_after_previous: bool,
}

/// A key the series' last line had at the same position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct KnownName<'n> {
    pub name: &'n Str,
    /// Whether it sorts after the name the series keeps at the previous position.
    pub sorts_after_previous: bool,
}

impl FieldNames {
    /// The length of the key at `pos` of `line` when it is the key kept at `index` followed
    /// by `=`. Such a key scans exactly as it did on the line it was kept from: the same bytes,
    /// ending at the same unescaped `=`.
    pub(crate) fn recognise(&self, index: usize, line: &[u8], pos: usize) -> Option<usize> {
        let name = self.names.get(index)?.name.as_bytes();
        let end = pos.checked_add(name.len())?;
        (!name.is_empty() && line.get(pos..end) == Some(name) && line.get(end) == Some(&b'=')).then_some(name.len())
    }

    /// How many keys are kept: the most any line of the series had, up to the limit.
    pub(crate) fn count(&self) -> usize {
        self.names.len()
    }

    /// The name kept at `index`, if any.
    pub(crate) fn get(&self, index: usize) -> Option<KnownName<'_>> {
        let kept = self.names.get(index).filter(|kept| !kept.name.is_empty())?;
        Some(KnownName {
            name: &kept.name,
            sorts_after_previous: kept.sorts_after_previous,
        })
    }

    /// Keeps `key`, the key at `index` of the line being read, in place of what was kept there.
    pub(crate) fn learn(&mut self, index: usize, key: &[u8]) {
        let kept = if key.contains(&b'\\') {
            Str::default()
        } else {
            std::str::from_utf8(key).map(intern_str).unwrap_or_default()
        };
        if let Some(slot) = self.names.get_mut(index) {
            slot.name = kept;
        } else if index == self.names.len() && index < MAX_KEPT {
            self.names.push(Kept {
                name: kept,
                sorts_after_previous: false,
            });
        }
        // The name at `index` changed: its order and its successor's.
        self.order(index);
        self.order(index + 1);
    }

    fn order(&mut self, index: usize) {
        let sorts_after_previous = match index.checked_sub(1) {
            None => true,
            Some(previous) => match (self.names.get(previous), self.names.get(index)) {
                (Some(previous), Some(kept)) => !previous.name.is_empty() && previous.name < kept.name,
                _ => false,
            },
        };
        if let Some(kept) = self.names.get_mut(index) {
            kept.sorts_after_previous = sorts_after_previous;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_a_kept_key_only_before_its_equals_sign() {
        let mut names = FieldNames::default();
        names.learn(0, b"usage_idle");
        let line = b"usage_idle=1,usage_idlex=2,usage_idl=3";
        assert_eq!(names.recognise(0, line, 0), Some(10));
        assert_eq!(names.recognise(0, line, 13), None);
        assert_eq!(names.recognise(0, line, 27), None);
        assert_eq!(names.recognise(1, line, 0), None);
        assert_eq!(names.recognise(0, b"usage_idle", 0), None);
        assert_eq!(names.get(0).map(|n| n.name.as_str()), Some("usage_idle"));
    }

    #[test]
    fn keys_that_do_not_read_as_written_hold_a_place_without_a_name() {
        let mut names = FieldNames::default();
        names.learn(0, br"a\ b");
        names.learn(1, b"\xff");
        names.learn(2, b"c");
        assert_eq!(names.get(0), None);
        assert_eq!(names.get(1), None);
        assert_eq!(names.recognise(0, br"a\ b=1", 0), None);
        assert_eq!(names.recognise(2, b"c=1", 0), Some(1));
        // A key that changes replaces the one kept.
        names.learn(2, b"d");
        assert_eq!(names.recognise(2, b"c=1", 0), None);
        assert_eq!(names.get(2).map(|n| n.name.as_str()), Some("d"));
    }

    #[test]
    fn knows_which_names_sort_after_the_previous_one() {
        let mut names = FieldNames::default();
        let order = |names: &FieldNames| -> Vec<Option<bool>> {
            (0..4).map(|i| names.get(i).map(|n| n.sorts_after_previous)).collect()
        };
        for (index, key) in [b"b", b"c", b"a"].iter().enumerate() {
            names.learn(index, *key);
        }
        assert_eq!(order(&names), [Some(true), Some(true), Some(false), None]);
        // A changed name changes its successor's order too.
        names.learn(1, b"a");
        assert_eq!(order(&names), [Some(true), Some(false), Some(false), None]);
        names.learn(0, b"0");
        assert_eq!(order(&names), [Some(true), Some(true), Some(false), None]);
        // After a key that does not read as written, order is unknown.
        names.learn(1, br"x\ y");
        names.learn(2, b"z");
        assert_eq!(order(&names), [Some(true), None, Some(false), None]);
    }

    #[test]
    fn keeps_a_bounded_number_of_keys() {
        let mut names = FieldNames::default();
        for index in 0..MAX_KEPT + 10 {
            names.learn(index, format!("f{index}").as_bytes());
        }
        assert!(names.get(MAX_KEPT - 1).is_some());
        assert_eq!(names.get(MAX_KEPT), None);
    }
}
