//! Service URLs extended as Kapacitor extends them: keys and names appended to the configured
//! URL's path with Go's `path.Join` (which cleans the result: no doubled or trailing slashes),
//! the appended text escaped as Go's `url.URL.String` escapes a path.

use std::fmt::Write;

/// `url` with its path replaced by `new_path(path)`; the query and fragment stay.
pub fn map_path(url: &str, new_path: impl FnOnce(&str) -> String) -> String {
    let path_start = url
        .find("://")
        .map(|i| i + 3)
        .and_then(|authority| {
            url[authority..]
                .find(['/', '?', '#'])
                .map(|i| i + authority)
        })
        .unwrap_or(url.len());
    let path_end = url[path_start..]
        .find(['?', '#'])
        .map_or(url.len(), |i| i + path_start);
    let path = new_path(&url[path_start..path_end]);
    let slash = if path.is_empty() || path.starts_with('/') {
        ""
    } else {
        "/"
    };
    format!("{}{slash}{path}{}", &url[..path_start], &url[path_end..])
}

/// `url` with `query` (already encoded) as its whole query.
pub fn with_query(url: &str, query: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    format!("{}?{query}", &url[..end])
}

/// Go's `path.Join` of an already-escaped `base` path and unescaped `segments`.
pub fn join(base: &str, segments: &[&str]) -> String {
    let mut joined = String::from(base);
    for segment in segments.iter().filter(|s| !s.is_empty()) {
        if !joined.is_empty() {
            joined.push('/');
        }
        escape_into(&mut joined, segment);
    }
    if joined.is_empty() {
        return joined;
    }
    clean(&joined)
}

/// Go's `path.Clean`: one slash between names, `.` and `..` resolved, no trailing slash.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut names: Vec<&str> = Vec::new();
    for name in path.split('/') {
        match name {
            "" | "." => {}
            ".." => match names.last() {
                Some(&last) if last != ".." => {
                    names.pop();
                }
                _ if rooted => {}
                _ => names.push(".."),
            },
            name => names.push(name),
        }
    }
    let body = names.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_owned(),
        (false, false) => body,
    }
}

/// Escapes what Go escapes in a URL path: all but letters, digits, `-_.~` and `$&+,/:;=@`.
fn escape_into(out: &mut String, segment: &str) {
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_segments_to_the_path() {
        let url = "http://h:1/alert/?x=1";
        assert_eq!(
            map_path(url, |p| join(p, &["key", "team a"])),
            "http://h:1/alert/key/team%20a?x=1"
        );
        assert_eq!(
            map_path("http://h", |p| join(p, &["alert"])),
            "http://h/alert"
        );
        assert_eq!(
            map_path("http://h/a/b", |p| join(p, &["..", "", "c"])),
            "http://h/a/c"
        );
    }

    #[test]
    fn the_query_is_replaced() {
        assert_eq!(
            with_query("http://h/a?old=1", "identifierType=alias"),
            "http://h/a?identifierType=alias"
        );
    }
}
