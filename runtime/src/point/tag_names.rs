//! `TagNames`: the sorted tag names a stream is grouped by, shared by every point of the
//! grouping.
//!
//! Most streams are not grouped, so the empty list is what nearly every point carries. It
//! holds no `Arc`: the standard library's empty `Arc<[T]>` is one static reference count that
//! every thread would increment and decrement for every point made and dropped, a write to a
//! cache line shared by all cores (and with whatever static data the linker put beside it).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use super::Str;

/// Sorted tag names; cloning is a reference count, or nothing at all when empty.
#[derive(Clone, Default)]
pub struct TagNames(Option<Arc<[Str]>>);

impl Deref for TagNames {
    type Target = [Str];
    fn deref(&self) -> &[Str] {
        self.0.as_deref().unwrap_or_default()
    }
}

impl From<Vec<Str>> for TagNames {
    fn from(names: Vec<Str>) -> Self {
        TagNames((!names.is_empty()).then(|| names.into()))
    }
}

impl<const N: usize> From<[Str; N]> for TagNames {
    fn from(names: [Str; N]) -> Self {
        Vec::from(names).into()
    }
}

impl FromIterator<Str> for TagNames {
    fn from_iter<I: IntoIterator<Item = Str>>(names: I) -> Self {
        names.into_iter().collect::<Vec<_>>().into()
    }
}

impl PartialEq for TagNames {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for TagNames {}

impl Hash for TagNames {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl fmt::Debug for TagNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// A sequence of names, as the `Arc<[Str]>` it replaces was saved.
impl serde::Serialize for TagNames {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for TagNames {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<Str>::deserialize(deserializer).map(TagNames::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_names_share_nothing() {
        assert!(TagNames::default().0.is_none());
        assert!(TagNames::from(Vec::new()).0.is_none());
        assert!(std::iter::empty::<Str>().collect::<TagNames>().0.is_none());
    }

    #[test]
    fn compares_and_reads_as_its_names() {
        let names = TagNames::from(["dc", "host"].map(Str::from));
        assert_eq!(*names, ["dc", "host"]);
        assert_eq!(names, ["dc", "host"].into_iter().map(Str::from).collect());
        assert_ne!(names, TagNames::default());
    }

    fn save(value: &impl serde::Serialize) -> Vec<u8> {
        bincode::serde::encode_to_vec(value, bincode::config::standard()).unwrap()
    }

    fn load(bytes: &[u8]) -> TagNames {
        bincode::serde::decode_from_slice(bytes, bincode::config::standard()).unwrap().0
    }

    #[test]
    fn saves_as_a_list_of_names() {
        let names = TagNames::from(["host"].map(Str::from));
        assert_eq!(save(&names), save(&vec!["host".to_owned()]));
        assert_eq!(load(&save(&names)), names);
        assert_eq!(load(&save(&TagNames::default())), TagNames::default());
    }
}
