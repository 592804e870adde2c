//! Kapacitor's list parameters, the same for tasks, recordings and replays: `pattern` (a glob
//! on the id), `fields` (which fields each entry keeps besides `id` and `link`), `offset` and
//! `limit`. List entries are maps, so their keys come out sorted, as Kapacitor's do.

use hyper::{Response, StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};

use super::query::Query;
use super::response::{Body, error, json};

/// Kapacitor's page size when `limit` is absent.
const DEFAULT_LIMIT: usize = 100;

/// The list parameters of one request.
pub(crate) struct Listing<'q> {
    pattern: &'q str,
    fields: Vec<&'q str>,
    offset: usize,
    limit: usize,
}

impl<'q> Listing<'q> {
    /// Reads the parameters; a malformed number is the message of a 400.
    pub(crate) fn parse(query: &'q Query) -> Result<Listing<'q>, String> {
        Ok(Listing {
            pattern: query.first("pattern").unwrap_or_default(),
            fields: query.all("fields").collect(),
            offset: number(query, "offset", 0)?,
            limit: number(query, "limit", DEFAULT_LIMIT)?,
        })
    }

    /// Whether the entry `id` matches the pattern.
    pub(crate) fn matches(&self, id: &str) -> bool {
        glob_matches(self.pattern, id)
    }

    /// The requested page of `entries`.
    pub(crate) fn page<T>(&self, entries: impl IntoIterator<Item = T>) -> impl Iterator<Item = T> {
        entries.into_iter().skip(self.offset).take(self.limit)
    }

    /// `entry` as a list entry: a map holding the requested fields (all when none is named).
    pub(crate) fn entry(&self, entry: &impl Serialize) -> Value {
        let mut map = match serde_json::to_value(entry) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        if !self.fields.is_empty() {
            map.retain(|key, _| key == "id" || key == "link" || self.fields.contains(&key.as_str()));
        }
        Value::Object(map)
    }
}

/// Answers a list request (`GET /kapacitor/v1/recordings`, `/replays`): the `items` whose id
/// matches the pattern, paged, each shown by `show` with the requested fields only, as the
/// array `key`; a malformed parameter is a 400.
pub(crate) fn respond<T, S: Serialize>(
    query: &Query,
    key: &str,
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    show: impl Fn(&T) -> S,
) -> Response<Body> {
    let listing = match Listing::parse(query) {
        Ok(listing) => listing,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let matching = items.into_iter().filter(|item| listing.matches(id(item)));
    let entries: Vec<Value> = listing.page(matching).map(|item| listing.entry(&show(&item))).collect();
    json(StatusCode::OK, &Value::Object(Map::from_iter([(key.to_owned(), Value::Array(entries))])))
}

fn number(query: &Query, name: &str, default: usize) -> Result<usize, String> {
    match query.first(name) {
        None | Some("") => Ok(default),
        Some(value) => value
            .parse()
            .map_err(|_| format!("invalid {name} {value:?}: expected a whole number")),
    }
}

/// Whether `id` matches a pattern: `*` any run of characters, `?` any one, `\` quotes the
/// next; an empty pattern matches everything (Kapacitor's CLI sends `pattern=` for "all").
fn glob_matches(pattern: &str, id: &str) -> bool {
    if pattern.is_empty() {
        return true;
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let id: Vec<char> = id.chars().collect();
    // Classic wildcard matching with one backtrack point: the last `*` seen.
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < id.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, i));
                p += 1;
                continue;
            }
            Some('?') => {
                p += 1;
                i += 1;
                continue;
            }
            Some('\\') if pattern.get(p + 1) == id.get(i) && p + 1 < pattern.len() => {
                p += 2;
                i += 1;
                continue;
            }
            Some(c) if *c != '\\' && Some(c) == id.get(i) => {
                p += 1;
                i += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((star_p, star_i)) => {
                p = star_p + 1;
                i = star_i + 1;
                star = Some((star_p, star_i + 1));
            }
            None => return false,
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_kapacitors_patterns() {
        for (pattern, id, expected) in [
            ("", "cpu_alert", true),
            ("cpu_alert", "cpu_alert", true),
            ("cpu_alert", "cpu_alert2", false),
            ("cpu*", "cpu_alert", true),
            ("cpu*", "mem", false),
            ("*alert", "cpu_alert", true),
            ("*a*e*", "cpu_alert", true),
            ("c?u_alert", "cpu_alert", true),
            ("c?u", "cpu_alert", false),
            ("**", "x", true),
            ("a\\*", "a*", true),
            ("a\\*", "ab", false),
            ("*", "", true),
            ("?", "", false),
        ] {
            assert_eq!(glob_matches(pattern, id), expected, "{pattern:?} vs {id:?}");
        }
    }
}
