//! `Str`: the immutable, cheaply cloned string that names and tag values are kept in.
//!
//! A point's measurement, database, tag names and values and field names repeat across
//! millions of points of the same few series. Ingest builds each such string once (see
//! [`crate::lineproto::SeriesCache`]) and every point, copy and batch shares it: cloning is a
//! reference count, not an allocation. Names known at compile time (`.as('used')`) cost
//! nothing at all.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// A shared immutable string. Compares, orders and hashes as the `str` it holds.
#[derive(Clone)]
pub struct Str(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl Str {
    /// A string that needs no allocation.
    pub const fn from_static(text: &'static str) -> Self {
        Str(Repr::Static(text))
    }

    /// Whether both hold the very same text (one shared string, or one static one): cheaper
    /// than comparing, and false for equal copies.
    #[inline]
    pub fn same(&self, other: &Str) -> bool {
        match (&self.0, &other.0) {
            (Repr::Static(a), Repr::Static(b)) => std::ptr::eq(*a, *b),
            (Repr::Shared(a), Repr::Shared(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(text) => text,
            Repr::Shared(text) => text,
        }
    }
}

impl Default for Str {
    fn default() -> Self {
        Str::from_static("")
    }
}

impl Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Str {
    fn from(text: &str) -> Self {
        if text.is_empty() { Str::default() } else { Str(Repr::Shared(Arc::from(text))) }
    }
}

impl From<&String> for Str {
    fn from(text: &String) -> Self {
        Str::from(text.as_str())
    }
}

impl From<String> for Str {
    fn from(text: String) -> Self {
        if text.is_empty() { Str::default() } else { Str(Repr::Shared(Arc::from(text))) }
    }
}

impl From<Cow<'_, str>> for Str {
    fn from(text: Cow<'_, str>) -> Self {
        match text {
            Cow::Borrowed(text) => Str::from(text),
            Cow::Owned(text) => Str::from(text),
        }
    }
}

impl From<&Str> for Str {
    fn from(text: &Str) -> Self {
        text.clone()
    }
}

impl From<Str> for String {
    fn from(text: Str) -> Self {
        text.as_str().to_owned()
    }
}

impl PartialEq for Str {
    /// By address first: the points of a series share one copy of each name, and interned
    /// and static names one copy for the whole program.
    #[inline]
    fn eq(&self, other: &Str) -> bool {
        std::ptr::eq(self.as_str(), other.as_str()) || self.as_str() == other.as_str()
    }
}

impl Eq for Str {}

impl PartialOrd for Str {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Str {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Str {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

macro_rules! compare_with {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for Str {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }
        impl PartialEq<Str> for $other {
            fn eq(&self, other: &Str) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}
compare_with!(str, &str, String);

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for Str {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Str {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Str::from(String::deserialize(deserializer)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_its_text() {
        let shared = Str::from(String::from("cpu"));
        let fixed = Str::from_static("cpu");
        assert_eq!(shared, fixed);
        assert_eq!(shared, "cpu");
        assert_eq!("cpu", shared);
        let a = Str::from("a");
        assert!(a < Str::from_static("b"));
        assert_eq!(format!("{shared} {fixed:?}"), "cpu \"cpu\"");
        let mut set = std::collections::HashSet::new();
        set.insert(shared.clone());
        assert!(set.contains("cpu"));
        assert_eq!(Str::default().len(), 0);
    }

    #[test]
    fn clones_share_the_text() {
        let a = Str::from("usage_idle");
        let b = a.clone();
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
    }

    #[test]
    fn serializes_as_a_string() {
        let json = serde_json::to_string(&Str::from("a\"b")).unwrap();
        assert_eq!(json, r#""a\"b""#);
        assert_eq!(serde_json::from_str::<Str>(&json).unwrap(), "a\"b");
    }
}
