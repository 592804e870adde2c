//! Inhibition (`.category()` / `.inhibit(category, tags...)`): while a group of an inhibiting
//! alert is not OK, events of that category whose tags match the group's are dropped.
//!
//! The registry is shared by every alert node of a process, as Kapacitor's alert service is:
//! an alert can inhibit another node's (or task's) events.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::point::Tags;

/// `.inhibit(category, equal_tags...)` as a node property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inhibit {
    pub category: String,
    pub equal_tags: Vec<String>,
}

/// One group's inhibitor: its category, the values of the equal tags in its group, and whether
/// the group is currently alerting.
#[derive(Debug)]
pub struct Inhibitor {
    category: String,
    tags: Tags,
    active: AtomicBool,
}

impl Inhibitor {
    /// Sets whether the group is alerting (not OK).
    pub fn set(&self, active: bool) {
        self.active.store(active, Ordering::Relaxed);
    }

    /// The values of the equal tags in the inhibiting group.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }

    /// Whether an event of `category` with `tags` is inhibited by this one. A tag the event
    /// lacks reads as empty, as in Kapacitor.
    fn inhibits(&self, category: &str, tags: &Tags) -> bool {
        self.active.load(Ordering::Relaxed)
            && self.category == category
            && self
                .tags
                .iter()
                .all(|(k, v)| tags.get(k).map_or("", crate::point::Str::as_str) == v)
    }
}

/// Every inhibitor of the process, by category.
#[derive(Debug, Default)]
pub struct Inhibitors {
    by_category: Mutex<HashMap<String, Vec<Arc<Inhibitor>>>>,
}

impl Inhibitors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a group's inhibitor; `tags` are the values of the equal tags in the group.
    pub fn add(&self, category: &str, tags: Tags) -> Arc<Inhibitor> {
        let inhibitor = Arc::new(Inhibitor {
            category: category.to_owned(),
            tags,
            active: AtomicBool::new(false),
        });
        self.lock()
            .entry(category.to_owned())
            .or_default()
            .push(Arc::clone(&inhibitor));
        inhibitor
    }

    /// Unregisters an inhibitor (its group was deleted).
    pub fn remove(&self, inhibitor: &Arc<Inhibitor>) {
        let mut by_category = self.lock();
        if let Some(list) = by_category.get_mut(&inhibitor.category) {
            list.retain(|i| !Arc::ptr_eq(i, inhibitor));
            if list.is_empty() {
                by_category.remove(&inhibitor.category);
            }
        }
    }

    /// Whether an active inhibitor holds back events of `category` with `tags`.
    pub fn is_inhibited(&self, category: &str, tags: &Tags) -> bool {
        self.lock()
            .get(category)
            .is_some_and(|list| list.iter().any(|i| i.inhibits(category, tags)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Arc<Inhibitor>>>> {
        self.by_category.lock().unwrap_or_else(|e| e.into_inner())
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

    #[test]
    fn an_active_inhibitor_matches_its_category_and_tags() {
        let registry = Inhibitors::new();
        let inhibitor = registry.add("svc_high", tags(&[("dc", "ams")]));
        let event_tags = tags(&[("dc", "ams"), ("host", "a")]);
        assert!(!registry.is_inhibited("svc_high", &event_tags));
        inhibitor.set(true);
        assert!(registry.is_inhibited("svc_high", &event_tags));
        assert!(!registry.is_inhibited("other", &event_tags));
        assert!(!registry.is_inhibited("svc_high", &tags(&[("dc", "fra")])));
    }

    /// An equal tag that is not a group dimension has an empty value in the inhibitor: only
    /// events without that tag match.
    #[test]
    fn an_empty_tag_value_matches_events_without_the_tag() {
        let registry = Inhibitors::new();
        registry.add("c", tags(&[("dc", "")])).set(true);
        assert!(registry.is_inhibited("c", &tags(&[("host", "a")])));
        assert!(!registry.is_inhibited("c", &tags(&[("dc", "ams")])));
    }
}
