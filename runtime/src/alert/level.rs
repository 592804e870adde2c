//! Alert levels, the level and reset expressions a script gives them, and how the level of a
//! point follows from those expressions and the current level.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::expr::{EvalError, Lambda, Scope};

/// An alert level, ordered by severity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    #[default]
    Ok,
    Info,
    Warning,
    Critical,
}

impl Level {
    /// Every level from the least to the most severe.
    pub const ALL: [Level; 4] = [Level::Ok, Level::Info, Level::Warning, Level::Critical];

    /// The name Kapacitor gives the level in events, templates and tags.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Critical => "CRITICAL",
        }
    }

    /// Reads a level name in any case (`ok`, `Warning`...), as Kapacitor's `ParseLevel` does.
    pub fn parse(name: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(name))
    }

    /// The next less severe level; `None` below INFO (OK has no expression of its own).
    fn less_severe(self) -> Option<Level> {
        match self {
            Level::Ok | Level::Info => None,
            Level::Warning => Some(Level::Info),
            Level::Critical => Some(Level::Warning),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which expression of an alert to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelCheck {
    /// `.info()`, `.warn()` or `.crit()`: does the point reach this level?
    Enter(Level),
    /// `.infoReset()`, `.warnReset()` or `.critReset()`: may the point leave this level?
    Reset(Level),
}

/// The level and reset expressions of an alert node. Generated code implements it over the
/// script's compiled lambdas, each kept in a [`LevelLambda`]: Kapacitor gives each expression one
/// state for the whole node, shared by every group, so a `sigma()` in `.crit()` sees the points
/// of all groups.
pub trait AlertLevels {
    /// Evaluates the expression `check` names on `scope`, or `None` when the script set none.
    fn test<S: Scope + ?Sized>(
        &mut self,
        check: LevelCheck,
        scope: &S,
    ) -> Option<Result<bool, EvalError>>;
}

/// An alert without level expressions: it never leaves OK.
impl AlertLevels for () {
    fn test<S: Scope + ?Sized>(&mut self, _: LevelCheck, _: &S) -> Option<Result<bool, EvalError>> {
        None
    }
}

/// A compiled level (or reset) lambda with the state of its stateful functions.
#[derive(Debug, Default)]
pub struct LevelLambda<L: Lambda> {
    lambda: L,
    state: L::State,
}

impl<L: Lambda> LevelLambda<L> {
    pub fn new(lambda: L) -> Self {
        LevelLambda {
            lambda,
            state: L::State::default(),
        }
    }

    pub fn test<S: Scope + ?Sized>(&mut self, scope: &S) -> Result<bool, EvalError> {
        self.lambda.test(scope, &mut self.state)
    }
}

/// Determines the level of a point given the group's current level, as Kapacitor does:
/// 1. the levels from CRITICAL down to the current one: the first that holds wins (so a level
///    can only rise here, or be confirmed);
/// 2. otherwise, if the current level has a reset expression and it is false, the level stays;
/// 3. otherwise the levels from the current one down to INFO: the first that holds wins, else OK.
///
/// The current level's expression may thus run twice for one point (which stateful functions
/// notice, as in Kapacitor). An expression that fails counts as false; each failure is passed
/// to `on_error`.
pub fn determine_level<L, S>(
    levels: &mut L,
    scope: &S,
    current: Level,
    mut on_error: impl FnMut(LevelCheck, EvalError),
) -> Level
where
    L: AlertLevels + ?Sized,
    S: Scope + ?Sized,
{
    let mut holds = |check: LevelCheck| match levels.test(check, scope) {
        Some(Ok(b)) => Some(b),
        Some(Err(e)) => {
            on_error(check, e);
            None
        }
        None => None,
    };
    let lowest_first_pass = current.max(Level::Info);
    if let Some(level) = first_holding(Level::Critical, lowest_first_pass, &mut holds) {
        return level;
    }
    if current != Level::Ok && holds(LevelCheck::Reset(current)) == Some(false) {
        return current;
    }
    first_holding(current, Level::Info, &mut holds).unwrap_or(Level::Ok)
}

/// The first level from `from` down to `to` (both included, above OK) whose expression holds.
fn first_holding(
    from: Level,
    to: Level,
    holds: &mut impl FnMut(LevelCheck) -> Option<bool>,
) -> Option<Level> {
    let mut level = Some(from);
    while let Some(l) = level.filter(|l| *l >= to) {
        if holds(LevelCheck::Enter(l)) == Some(true) {
            return Some(l);
        }
        level = l.less_severe();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{BatchPoint, FieldValue, Fields, Tags};

    /// Thresholds on one value, with optional resets: `[info, warn, crit]` as `value > t` and
    /// resets as `value < t`. Counts evaluations to show which expressions ran.
    struct Thresholds {
        enter: [Option<f64>; 3],
        reset: [Option<f64>; 3],
        evaluations: Vec<LevelCheck>,
    }

    fn index(level: Level) -> Option<usize> {
        match level {
            Level::Ok => None,
            Level::Info => Some(0),
            Level::Warning => Some(1),
            Level::Critical => Some(2),
        }
    }

    impl AlertLevels for Thresholds {
        fn test<S: Scope + ?Sized>(
            &mut self,
            check: LevelCheck,
            scope: &S,
        ) -> Option<Result<bool, EvalError>> {
            let (threshold, above) = match check {
                LevelCheck::Enter(l) => (self.enter[index(l)?]?, true),
                LevelCheck::Reset(l) => (self.reset[index(l)?]?, false),
            };
            self.evaluations.push(check);
            let Some(FieldValue::Float(v)) = scope.field("v") else {
                return Some(Err(EvalError::MissingReference { name: "v".into() }));
            };
            Some(Ok(if above {
                *v > threshold
            } else {
                *v < threshold
            }))
        }
    }

    fn point(v: f64) -> BatchPoint {
        BatchPoint {
            time: 0,
            fields: Fields::from_iter([("v".to_owned(), FieldValue::Float(v))]),
            tags: Tags::new(),
        }
    }

    fn run(levels: &mut Thresholds, values: &[f64]) -> Vec<Level> {
        let mut current = Level::Ok;
        values
            .iter()
            .map(|v| {
                current = determine_level(levels, &point(*v), current, |_, _| {});
                current
            })
            .collect()
    }

    /// The example of Kapacitor's documentation (pipeline/alert.go).
    #[test]
    fn resets_hold_a_level_until_they_are_true() {
        let mut levels = Thresholds {
            enter: [Some(60.0), Some(70.0), Some(80.0)],
            reset: [Some(50.0), Some(60.0), Some(70.0)],
            evaluations: Vec::new(),
        };
        use Level::*;
        assert_eq!(
            run(&mut levels, &[61.0, 73.0, 64.0, 85.0, 62.0, 56.0, 47.0]),
            [Info, Warning, Warning, Critical, Info, Info, Ok]
        );
    }

    #[test]
    fn without_resets_the_highest_true_level_wins() {
        let mut levels = Thresholds {
            enter: [Some(50.0), Some(70.0), Some(90.0)],
            reset: [None; 3],
            evaluations: Vec::new(),
        };
        use Level::*;
        assert_eq!(
            run(&mut levels, &[95.0, 75.0, 55.0, 10.0, 72.0]),
            [Critical, Warning, Info, Ok, Warning]
        );
    }

    #[test]
    fn the_current_level_is_evaluated_twice_when_it_no_longer_holds() {
        let mut levels = Thresholds {
            enter: [None, Some(70.0), Some(90.0)],
            reset: [None; 3],
            evaluations: Vec::new(),
        };
        determine_level(&mut levels, &point(10.0), Level::Warning, |_, _| {});
        use LevelCheck::Enter;
        assert_eq!(
            levels.evaluations,
            [
                Enter(Level::Critical),
                Enter(Level::Warning),
                Enter(Level::Warning)
            ]
        );
    }

    #[test]
    fn a_failing_expression_is_reported_and_skipped() {
        let mut levels = Thresholds {
            enter: [Some(1.0), None, None],
            reset: [None; 3],
            evaluations: Vec::new(),
        };
        let p = BatchPoint {
            time: 0,
            fields: Fields::new(),
            tags: Tags::new(),
        };
        let mut failed = Vec::new();
        let level = determine_level(&mut levels, &p, Level::Info, |check, _| failed.push(check));
        assert_eq!(level, Level::Ok);
        assert_eq!(
            failed,
            [
                LevelCheck::Enter(Level::Info),
                LevelCheck::Enter(Level::Info)
            ]
        );
    }

    #[test]
    fn names_round_trip_in_any_case() {
        for level in Level::ALL {
            assert_eq!(Level::parse(&level.as_str().to_lowercase()), Some(level));
        }
        assert_eq!(Level::parse("warn"), None);
    }
}
