//! Services configured per workspace (`[[slack]]`, `[[discord]]`): the section may be one table
//! or a list of them, and a handler picks one by its `.workspace()`, the default one when it
//! names none.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A configuration that belongs to a workspace.
pub trait Workspace {
    /// The entry's `workspace` id (empty when there is one entry).
    fn id(&self) -> &str;
    /// Whether the entry is marked `default = true`.
    fn is_default(&self) -> bool;
}

/// Reads a section written either as one table (`[slack]`) or as a list (`[[slack]]`). A
/// visitor rather than an untagged enum, so an entry's own error (a wrong type) comes through.
pub fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct OneOrMany<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrMany<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a table or an array of tables")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(|one| vec![one])
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<T>, A::Error> {
            Vec::deserialize(SeqAccessDeserializer::new(seq))
        }
    }

    deserializer.deserialize_any(OneOrMany(PhantomData))
}

/// The entry a handler naming workspace `id` uses. An entry answers to its own id; the
/// empty id also reaches the default entry (the only entry is the default). Later entries
/// win, as in Kapacitor, which registers them in order.
pub fn find<'a, T: Workspace>(configs: &'a [T], id: &str) -> Option<&'a T> {
    let only_one = configs.len() == 1;
    configs
        .iter()
        .rev()
        .find(|c| c.id() == id || (id.is_empty() && (c.is_default() || only_one)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Entry {
        #[serde(default)]
        workspace: String,
        #[serde(default)]
        default: bool,
    }

    impl Workspace for Entry {
        fn id(&self) -> &str {
            &self.workspace
        }
        fn is_default(&self) -> bool {
            self.default
        }
    }

    #[derive(Deserialize)]
    struct Sections {
        #[serde(deserialize_with = "one_or_many")]
        slack: Vec<Entry>,
    }

    #[test]
    fn a_section_is_one_table_or_a_list() {
        let one: Sections = toml::from_str("[slack]\nworkspace = 'a'\n").unwrap();
        assert_eq!(one.slack.len(), 1);
        let many: Sections = toml::from_str(
            "[[slack]]\nworkspace = 'a'\n[[slack]]\nworkspace = 'b'\ndefault = true\n",
        )
        .unwrap();
        assert_eq!(many.slack.len(), 2);
        assert_eq!(find(&many.slack, "").map(Entry::id), Some("b"));
        assert_eq!(find(&many.slack, "a").map(Entry::id), Some("a"));
        assert_eq!(find(&many.slack, "c"), None);
        assert_eq!(find(&one.slack, "").map(Entry::id), Some("a"));
    }
}
