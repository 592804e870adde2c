//! Which InfluxQL function a node applies, with its arguments, and the node's configuration.

use std::fmt;

use super::column::Kind;
use super::holt_winters::HoltWinters;
use super::transformations::Transformation;

/// An InfluxQL chain method and its arguments (durations in nanoseconds).
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    Count,
    Distinct,
    Mean,
    Median,
    Mode,
    Spread,
    Sum,
    Stddev,
    First,
    Last,
    Min,
    Max,
    Percentile(f64),
    /// `top(n, field, fieldsAndTags...)`.
    Top {
        n: i64,
        distinct_by: Vec<String>,
    },
    /// `bottom(n, field, fieldsAndTags...)`.
    Bottom {
        n: i64,
        distinct_by: Vec<String>,
    },
    Elapsed {
        unit: i64,
    },
    Difference,
    MovingAverage {
        window: i64,
    },
    CumulativeSum,
    /// `holtWinters(field, h, m, interval)`, or `holtWintersWithFit` when `with_fit`.
    HoltWinters {
        h: i64,
        m: i64,
        interval: i64,
        with_fit: bool,
    },
}

/// What a method emits, which fixes the output's shape and edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// One point per window or time step, with the group's tags and the single field `as`.
    Aggregate,
    /// The selected point, all its fields and tags, the field renamed to `as`.
    Selector,
    /// A batch of points (distinct, top, bottom, holtWinters).
    Batch,
    /// One output per input point, on the same kind of edge as the input.
    Transformation(Transformation),
}

impl Method {
    /// The method's TICKscript name, which is also the default `.as()` (both Holt-Winters
    /// variants are named `holtWinters`).
    pub fn name(&self) -> &'static str {
        match self {
            Method::Count => "count",
            Method::Distinct => "distinct",
            Method::Mean => "mean",
            Method::Median => "median",
            Method::Mode => "mode",
            Method::Spread => "spread",
            Method::Sum => "sum",
            Method::Stddev => "stddev",
            Method::First => "first",
            Method::Last => "last",
            Method::Min => "min",
            Method::Max => "max",
            Method::Percentile(_) => "percentile",
            Method::Top { .. } => "top",
            Method::Bottom { .. } => "bottom",
            Method::Elapsed { .. } => "elapsed",
            Method::Difference => "difference",
            Method::MovingAverage { .. } => "movingAverage",
            Method::CumulativeSum => "cumulativeSum",
            Method::HoltWinters { .. } => "holtWinters",
        }
    }

    /// Whether the method has a reducer for values of `kind` (Kapacitor's pipeline table).
    pub(super) fn accepts(&self, kind: Kind) -> bool {
        match self {
            Method::Count
            | Method::Distinct
            | Method::First
            | Method::Last
            | Method::Elapsed { .. } => true,
            _ => matches!(kind, Kind::Float | Kind::Int),
        }
    }
}

/// The properties of an InfluxQL node.
#[derive(Debug, Clone, PartialEq)]
pub struct InfluxQlConfig {
    pub method: Method,
    pub field: String,
    /// The output field's name (`.as()`).
    pub as_name: String,
    /// `.usePointTimes()`: selected points keep their own time instead of the window's.
    pub use_point_times: bool,
}

impl InfluxQlConfig {
    /// `method` over `field`, named after the method, at window times.
    pub fn new(method: Method, field: impl Into<String>) -> Self {
        let as_name = method.name().to_owned();
        InfluxQlConfig {
            method,
            field: field.into(),
            as_name,
            use_point_times: false,
        }
    }

    pub fn with_as(mut self, as_name: impl Into<String>) -> Self {
        self.as_name = as_name.into();
        self
    }

    pub fn with_point_times(mut self) -> Self {
        self.use_point_times = true;
        self
    }

    /// The validated role of the method: arguments Kapacitor would crash on are refused.
    pub(super) fn role(&self) -> Result<Role, InfluxQlConfigError> {
        let bad = |reason: &'static str| {
            Err(InfluxQlConfigError {
                method: self.method.name(),
                reason,
            })
        };
        Ok(match &self.method {
            Method::Count
            | Method::Mean
            | Method::Median
            | Method::Mode
            | Method::Spread
            | Method::Sum
            | Method::Stddev => Role::Aggregate,
            Method::First | Method::Last | Method::Min | Method::Max | Method::Percentile(_) => {
                Role::Selector
            }
            Method::Top { n, .. } | Method::Bottom { n, .. } if *n < 0 => {
                return bad("the number of points must not be negative");
            }
            Method::Distinct | Method::Top { .. } | Method::Bottom { .. } => Role::Batch,
            Method::HoltWinters { interval, .. } if *interval <= 0 => {
                return bad("the interval must be positive");
            }
            Method::HoltWinters { .. } => Role::Batch,
            Method::Elapsed { unit: 0 } => return bad("the unit must not be zero"),
            Method::Elapsed { unit } => {
                Role::Transformation(Transformation::Elapsed { unit: *unit })
            }
            Method::Difference => Role::Transformation(Transformation::Difference),
            Method::MovingAverage { window } => match usize::try_from(*window) {
                Ok(window) if window > 0 => {
                    Role::Transformation(Transformation::MovingAverage { window })
                }
                _ => return bad("the window must be at least 1"),
            },
            Method::CumulativeSum => Role::Transformation(Transformation::CumulativeSum),
        })
    }

    /// The Holt-Winters arguments, when that is the method.
    pub(super) fn holt_winters(&self) -> Option<HoltWinters> {
        match self.method {
            Method::HoltWinters {
                h,
                m,
                interval,
                with_fit,
            } => Some(HoltWinters {
                h,
                m,
                interval,
                with_fit,
            }),
            _ => None,
        }
    }
}

/// Arguments an InfluxQL method cannot run with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfluxQlConfigError {
    pub method: &'static str,
    pub reason: &'static str,
}

impl fmt::Display for InfluxQlConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}(): {}", self.method, self.reason)
    }
}

impl std::error::Error for InfluxQlConfigError {}
