//! Interning: the names and tag sets that repeat on every point, kept for the life of the
//! program so that copying them is a plain pointer copy.
//!
//! A shared [`Str`] or [`Tags`] is reference counted, and a point's counts are touched by two
//! threads: the ingest thread that builds the point increments them, the worker that runs the
//! task drops it and decrements them. Each such count moves its cache line between the two cores, and a
//! point carries half a dozen (database, retention policy, measurement, tags, field names):
//! measured, that traffic was a third of a served task's CPU time. An interned value has no
//! count to touch.
//!
//! Interned values are never freed, so what may be interned is bounded: [`BUDGET_BYTES`] in all,
//! after which values stay reference counted (slower, never wrong). The callers keep the budget
//! for what lasts: names as they are first met, a series' tags only once the series has sent
//! enough points to be a regular (see [`crate::lineproto::SeriesCache`]), so series that come
//! and go do not use it up.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use super::{SortedMap, Str, Tags};

/// The most memory interned values may hold, for the life of the program.
pub const BUDGET_BYTES: usize = 4 << 20;

#[derive(Default)]
struct Interned {
    strings: HashSet<&'static str>,
    tag_sets: HashSet<&'static SortedMap<Str>>,
    used_bytes: usize,
}

impl Interned {
    /// Takes `bytes` of the budget, if there is that much left.
    fn spend(&mut self, bytes: usize) -> bool {
        let fits = self.used_bytes.saturating_add(bytes) <= BUDGET_BYTES;
        if fits {
            self.used_bytes += bytes;
        }
        fits
    }

    fn string(&mut self, text: &str) -> Option<&'static str> {
        if let Some(&known) = self.strings.get(text) {
            return Some(known);
        }
        if !self.spend(text.len() + std::mem::size_of::<&str>()) {
            return None;
        }
        let leaked: &'static str = Box::leak(text.into());
        self.strings.insert(leaked);
        Some(leaked)
    }

    /// A shared string's interned twin, or the string itself past the budget.
    fn str(&mut self, text: &Str) -> Str {
        match self.string(text) {
            Some(interned) => Str::from_static(interned),
            None => text.clone(),
        }
    }
}

fn interned() -> std::sync::MutexGuard<'static, Interned> {
    static INTERNED: OnceLock<Mutex<Interned>> = OnceLock::new();
    INTERNED
        .get_or_init(Mutex::default)
        .lock()
        // The set is only ever extended by whole entries: a panic elsewhere leaves it usable.
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `text`, interned when the budget allows.
pub fn intern_str(text: &str) -> Str {
    let mut interned = interned();
    match interned.string(text) {
        Some(text) => Str::from_static(text),
        None => Str::from(text),
    }
}

/// `tags`, interned (names and values too) when the budget allows.
pub fn intern_tags(tags: &Tags) -> Tags {
    let mut interned = interned();
    if let Some(&known) = interned.tag_sets.get(&**tags) {
        return Tags::from_static(known);
    }
    let entry_bytes = std::mem::size_of::<(Str, Str)>() * tags.len();
    let text_bytes: usize = tags.iter().map(|(k, v)| k.len() + v.len()).sum();
    // Checked whole up front, so a set is interned entirely or not at all.
    if interned.used_bytes.saturating_add(entry_bytes + text_bytes) > BUDGET_BYTES {
        return tags.clone();
    }
    let map: SortedMap<Str> = SortedMap {
        entries: tags
            .entries()
            .map(|(k, v)| (interned.str(k), interned.str(v)))
            .collect(),
    };
    if !interned.spend(entry_bytes) {
        return tags.clone();
    }
    let leaked: &'static SortedMap<Str> = Box::leak(Box::new(map));
    interned.tag_sets.insert(leaked);
    Tags::from_static(leaked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_values_equal_the_originals_and_are_shared() {
        let a = intern_str("usage_idle");
        let b = intern_str(&String::from("usage_idle"));
        assert_eq!(a, "usage_idle");
        assert!(std::ptr::eq(a.as_str(), b.as_str()));

        let tags: Tags = [("host", "a"), ("cpu", "cpu0")].into_iter().collect();
        let first = intern_tags(&tags);
        let second = intern_tags(&tags.clone());
        assert_eq!(first, tags);
        assert!(std::ptr::eq(&*first, &*second));
        assert!(std::ptr::eq(first.get("host").unwrap().as_str(), intern_str("a").as_str()));
    }

    #[test]
    fn a_change_to_interned_tags_copies_them() {
        let tags: Tags = [("host", "b")].into_iter().collect();
        let interned = intern_tags(&tags);
        let mut changed = interned.clone();
        changed.insert("dc", "x");
        assert_eq!(interned.len(), 1);
        assert_eq!(changed.len(), 2);
        assert_eq!(intern_tags(&tags).len(), 1);
    }

    #[test]
    fn past_the_budget_values_stay_counted() {
        let mut full = Interned {
            used_bytes: BUDGET_BYTES,
            ..Interned::default()
        };
        assert_eq!(full.string("fresh"), None);
        let shared = Str::from("shared");
        let kept = full.str(&shared);
        assert_eq!(kept, "shared");
        assert!(std::ptr::eq(kept.as_str(), shared.as_str()));
    }
}
