//! Services configured per workspace (`[[slack]]`, `[[discord]]`): the section may be one table
//! or a list of them, and a handler picks one by its `.workspace()`, the default one when it
//! names none.

use serde::{Deserialize, Deserializer};

/// A configuration that belongs to a workspace.
pub trait Workspace {
    /// The entry's `workspace` id (empty when there is one entry).
    fn id(&self) -> &str;
    /// Whether the entry is marked `default = true`.
    fn is_default(&self) -> bool;
}

/// Reads a section written either as one table (`[slack]`) or as a list (`[[slack]]`).
pub fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::Many(all) => all,
        OneOrMany::One(one) => vec![one],
    })
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
