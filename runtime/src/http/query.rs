//! A request's query string as decoded name/value pairs, in order (names may repeat:
//! `fields=type&fields=status`).

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses `a=1&b=x%20y&c` (`+` is a space, as in HTML forms).
    pub(crate) fn parse(query: Option<&str>) -> Query {
        let pairs = query
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(name), decode(value))
            })
            .collect();
        Query { pairs }
    }

    /// The first value of `name` (InfluxDB reads the first of repeated parameters).
    pub(crate) fn first(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }

    pub(crate) fn all<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.pairs
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Decodes a query name or value.
fn decode(component: &str) -> String {
    let spaced: Cow<'_, str> = if component.contains('+') {
        Cow::Owned(component.replace('+', " "))
    } else {
        Cow::Borrowed(component)
    };
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs_in_order() {
        let q = Query::parse(Some(
            "consistency=&db=tele%67raf&fields=type&fields=status&pattern=cpu%2A&x&y=a+b",
        ));
        assert_eq!(q.first("consistency"), Some(""));
        assert_eq!(q.first("db"), Some("telegraf"));
        assert_eq!(q.all("fields").collect::<Vec<_>>(), ["type", "status"]);
        assert_eq!(q.first("pattern"), Some("cpu*"));
        assert_eq!(q.first("x"), Some(""));
        assert_eq!(q.first("y"), Some("a b"));
        assert_eq!(q.first("rp"), None);
        assert_eq!(Query::parse(None).first("db"), None);
    }
}
