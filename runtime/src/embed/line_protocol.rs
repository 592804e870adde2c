//! Line protocol pushed into an embedded task: every good line becomes a point, and the bad
//! ones are reported together, as InfluxDB's partial writes report them.

use std::fmt;

use crate::lineproto::{BadLine, LineView, parse_body};
use crate::point::{Point, Time};
use crate::time::Precision;

/// How many bad lines an error keeps; past that it only counts them, so a large bad body
/// costs no more memory than a small one.
const KEPT: usize = 16;

/// Lines of line protocol that could not be read. The good lines of the same text were
/// pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLines {
    /// The first bad lines, in order (at most 16).
    pub lines: Vec<BadLine>,
    /// How many lines were bad in all.
    pub count: usize,
    /// How many points reached the task.
    pub pushed: usize,
}

impl fmt::Display for BadLines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.count == 1 { "line" } else { "lines" };
        write!(f, "{} bad {noun} of line protocol", self.count)?;
        for line in &self.lines {
            write!(f, "; {line}")?;
        }
        if self.count > self.lines.len() {
            write!(f, "; and {} more", self.count - self.lines.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for BadLines {}

/// Reads `text`, handing each good line to `push` as a point of `database`.`retention_policy`
/// (stamped `now` when it has no time); the number of points, or the bad lines.
pub(super) fn for_each_point(
    text: &str,
    precision: Precision,
    database: &str,
    retention_policy: &str,
    now: Time,
    mut push: impl FnMut(Point),
) -> Result<usize, BadLines> {
    read(text, precision, |view| push(view.to_point(database, retention_policy, now)))
}

/// Reads `text` for its errors only (a task that does not read its database takes no point).
pub(super) fn check(text: &str, precision: Precision) -> Result<(), BadLines> {
    read(text, precision, |_| ()).map(drop).map_err(|bad| BadLines { pushed: 0, ..bad })
}

/// Hands each good line of `text` to `good`, counting them; the bad lines are the error.
fn read(text: &str, precision: Precision, mut good: impl FnMut(&LineView<'_>)) -> Result<usize, BadLines> {
    let mut bad = BadLines { lines: Vec::new(), count: 0, pushed: 0 };
    for line in parse_body(text.as_bytes(), precision) {
        match line {
            Ok(line) => {
                good(&line.view);
                bad.pushed += 1;
            }
            Err(line) => {
                bad.count += 1;
                if bad.lines.len() < KEPT {
                    bad.lines.push(line);
                }
            }
        }
    }
    if bad.count == 0 { Ok(bad.pushed) } else { Err(bad) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push_all(text: &str) -> (Vec<Point>, Result<usize, BadLines>) {
        let mut points = Vec::new();
        let result = for_each_point(text, Precision::Nanosecond, "db", "rp", 7, |p| points.push(p));
        (points, result)
    }

    #[test]
    fn good_lines_become_points_of_the_database() {
        let (points, result) = push_all("cpu,host=a v=1 10\n\n# comment\ncpu v=2i\n");
        assert_eq!(result, Ok(2));
        assert_eq!(points.len(), 2);
        assert_eq!((points[0].database.as_str(), points[0].retention_policy.as_str()), ("db", "rp"));
        assert_eq!(points[0].tags.get("host").map(crate::point::Str::as_str), Some("a"));
        assert_eq!((points[0].time, points[1].time), (10, 7), "a line without time is stamped now");
    }

    #[test]
    fn bad_lines_are_reported_after_the_good_ones_are_pushed() {
        let (points, result) = push_all("cpu v=1 1\ncpu v=oops 2\ncpu v=3 3\n");
        assert_eq!(points.len(), 2);
        let bad = result.unwrap_err();
        assert_eq!((bad.count, bad.pushed, bad.lines.len()), (1, 2, 1));
        assert_eq!(bad.lines[0].number, 2);
        assert!(bad.to_string().starts_with("1 bad line of line protocol; line 2: "), "{bad}");
    }

    #[test]
    fn an_error_keeps_a_bounded_number_of_lines() {
        let text = "nope\n".repeat(100);
        let (_, result) = push_all(&text);
        let bad = result.unwrap_err();
        assert_eq!((bad.count, bad.lines.len()), (100, KEPT));
        assert!(bad.to_string().ends_with("and 84 more"), "{bad}");
    }

    #[test]
    fn check_reports_without_pushing() {
        assert_eq!(check("cpu v=1\n", Precision::Nanosecond), Ok(()));
        let bad = check("cpu v=1\nbad\n", Precision::Nanosecond).unwrap_err();
        assert_eq!((bad.count, bad.pushed), (1, 0));
    }
}
