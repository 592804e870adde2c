//! The lambda function table: every builtin function with its signatures, as declared by the
//! `Signature()` maps of Kapacitor's `tick/stateful/functions.go`. A call type-checks only
//! against these: there is no implicit int → float conversion (`sqrt(4)` is an error).

use super::*;
use ValueType as V;

const fn sig(args: &'static [ValueType], returns: ValueType) -> FunctionSig {
    FunctionSig { args, returns }
}

const FLOAT_TO_FLOAT: &[FunctionSig] = &[sig(&[V::Float], V::Float)];
const FLOATS_TO_FLOAT: &[FunctionSig] = &[sig(&[V::Float, V::Float], V::Float)];
const INT_FLOAT_TO_FLOAT: &[FunctionSig] = &[sig(&[V::Int, V::Float], V::Float)];
const STRINGS_TO_BOOL: &[FunctionSig] = &[sig(&[V::String, V::String], V::Bool)];
const STRINGS_TO_INT: &[FunctionSig] = &[sig(&[V::String, V::String], V::Int)];
const STRINGS_TO_STRING: &[FunctionSig] = &[sig(&[V::String, V::String], V::String)];
const STRING_TO_STRING: &[FunctionSig] = &[sig(&[V::String], V::String)];
const TIME_TO_INT: &[FunctionSig] = &[sig(&[V::Time], V::Int)];

/// One `(x) -> returns` signature for each type `x` may have.
macro_rules! conversions {
    ($returns:expr; $($from:ident),*) => {
        &[$(sig(&[V::$from], $returns)),*]
    };
}

// One entry per line reads as a table; rustfmt would spread each over several.
#[rustfmt::skip]
pub static FUNCTIONS: &[FunctionSpec] = &[
    // Conversions.
    FunctionSpec::new("bool", conversions!(V::Bool; Bool, String, Int, Float), "Convert to bool (ints and floats only 0 or 1)."),
    FunctionSpec::new("int", conversions!(V::Int; Bool, String, Int, Float), "Convert to int (floats truncate)."),
    FunctionSpec::new("float", conversions!(V::Float; Bool, String, Int, Float), "Convert to float."),
    FunctionSpec::new(
        "string",
        conversions!(V::String; Bool, String, Int, Float, Duration),
        "Convert to string.",
    ),
    // No one-argument string form: `duration('1h')` is a type error, `duration('1h', 1s)` is 1h.
    FunctionSpec::new(
        "duration",
        &[
            sig(&[V::Duration], V::Duration),
            sig(&[V::Int, V::Duration], V::Duration),
            sig(&[V::Float, V::Duration], V::Duration),
            sig(&[V::String, V::Duration], V::Duration),
        ],
        "Convert to duration: x units, or parse a string (unit ignored).",
    ),
    // Math (Go's math package).
    FunctionSpec::new("abs", FLOAT_TO_FLOAT, "Absolute value."),
    FunctionSpec::new("acos", FLOAT_TO_FLOAT, "Arccosine."),
    FunctionSpec::new("acosh", FLOAT_TO_FLOAT, "Inverse hyperbolic cosine."),
    FunctionSpec::new("asin", FLOAT_TO_FLOAT, "Arcsine."),
    FunctionSpec::new("asinh", FLOAT_TO_FLOAT, "Inverse hyperbolic sine."),
    FunctionSpec::new("atan", FLOAT_TO_FLOAT, "Arctangent."),
    FunctionSpec::new("atan2", FLOATS_TO_FLOAT, "Arctangent of y/x, using both signs."),
    FunctionSpec::new("atanh", FLOAT_TO_FLOAT, "Inverse hyperbolic tangent."),
    FunctionSpec::new("cbrt", FLOAT_TO_FLOAT, "Cube root."),
    FunctionSpec::new("ceil", FLOAT_TO_FLOAT, "Least integer value not below x."),
    FunctionSpec::new("cos", FLOAT_TO_FLOAT, "Cosine."),
    FunctionSpec::new("cosh", FLOAT_TO_FLOAT, "Hyperbolic cosine."),
    FunctionSpec::new("erf", FLOAT_TO_FLOAT, "Error function."),
    FunctionSpec::new("erfc", FLOAT_TO_FLOAT, "Complementary error function."),
    FunctionSpec::new("exp", FLOAT_TO_FLOAT, "e to the power x."),
    FunctionSpec::new("exp2", FLOAT_TO_FLOAT, "2 to the power x."),
    FunctionSpec::new("expm1", FLOAT_TO_FLOAT, "e to the power x, minus 1."),
    FunctionSpec::new("floor", FLOAT_TO_FLOAT, "Greatest integer value not above x."),
    FunctionSpec::new("gamma", FLOAT_TO_FLOAT, "Gamma function."),
    FunctionSpec::new("hypot", FLOATS_TO_FLOAT, "Square root of x² + y²."),
    FunctionSpec::new("j0", FLOAT_TO_FLOAT, "Bessel function of the first kind, order 0."),
    FunctionSpec::new("j1", FLOAT_TO_FLOAT, "Bessel function of the first kind, order 1."),
    FunctionSpec::new("jn", INT_FLOAT_TO_FLOAT, "Bessel function of the first kind, order n."),
    FunctionSpec::new("log", FLOAT_TO_FLOAT, "Natural logarithm."),
    FunctionSpec::new("log10", FLOAT_TO_FLOAT, "Decimal logarithm."),
    FunctionSpec::new("log1p", FLOAT_TO_FLOAT, "Natural logarithm of 1 + x."),
    FunctionSpec::new("log2", FLOAT_TO_FLOAT, "Binary logarithm."),
    FunctionSpec::new("logb", FLOAT_TO_FLOAT, "Binary exponent."),
    FunctionSpec::new("max", FLOATS_TO_FLOAT, "Larger of two floats."),
    FunctionSpec::new("min", FLOATS_TO_FLOAT, "Smaller of two floats."),
    FunctionSpec::new("mod", FLOATS_TO_FLOAT, "Floating-point remainder of x/y."),
    FunctionSpec::new("pow", FLOATS_TO_FLOAT, "x to the power y."),
    FunctionSpec::new("pow10", &[sig(&[V::Int], V::Float)], "10 to the power n."),
    FunctionSpec::new("sin", FLOAT_TO_FLOAT, "Sine."),
    FunctionSpec::new("sinh", FLOAT_TO_FLOAT, "Hyperbolic sine."),
    FunctionSpec::new("sqrt", FLOAT_TO_FLOAT, "Square root."),
    FunctionSpec::new("tan", FLOAT_TO_FLOAT, "Tangent."),
    FunctionSpec::new("tanh", FLOAT_TO_FLOAT, "Hyperbolic tangent."),
    FunctionSpec::new("trunc", FLOAT_TO_FLOAT, "Integer part of x."),
    FunctionSpec::new("y0", FLOAT_TO_FLOAT, "Bessel function of the second kind, order 0."),
    FunctionSpec::new("y1", FLOAT_TO_FLOAT, "Bessel function of the second kind, order 1."),
    FunctionSpec::new("yn", INT_FLOAT_TO_FLOAT, "Bessel function of the second kind, order n."),
    // Strings (Go's strings package; lengths and indexes in bytes).
    FunctionSpec::new("strContains", STRINGS_TO_BOOL, "Whether s contains substr."),
    FunctionSpec::new("strContainsAny", STRINGS_TO_BOOL, "Whether s contains any of the chars."),
    FunctionSpec::new("strCount", STRINGS_TO_INT, "Number of non-overlapping occurrences of substr."),
    FunctionSpec::new("strHasPrefix", STRINGS_TO_BOOL, "Whether s starts with prefix."),
    FunctionSpec::new("strHasSuffix", STRINGS_TO_BOOL, "Whether s ends with suffix."),
    FunctionSpec::new("strIndex", STRINGS_TO_INT, "Index of the first substr, or -1."),
    FunctionSpec::new("strIndexAny", STRINGS_TO_INT, "Index of the first of the chars, or -1."),
    FunctionSpec::new("strLastIndex", STRINGS_TO_INT, "Index of the last substr, or -1."),
    FunctionSpec::new("strLastIndexAny", STRINGS_TO_INT, "Index of the last of the chars, or -1."),
    FunctionSpec::new("strLength", &[sig(&[V::String], V::Int)], "Length in bytes."),
    FunctionSpec::new(
        "strReplace",
        &[sig(&[V::String, V::String, V::String, V::Int], V::String)],
        "Replace the first n occurrences of old by new (all if n < 0).",
    ),
    FunctionSpec::new(
        "strSubstring",
        &[sig(&[V::String, V::Int, V::Int], V::String)],
        "Bytes from start up to stop (exclusive).",
    ),
    FunctionSpec::new("strToLower", STRING_TO_STRING, "Lower case."),
    FunctionSpec::new("strToUpper", STRING_TO_STRING, "Upper case."),
    FunctionSpec::new("strTrim", STRINGS_TO_STRING, "Remove the chars from both ends."),
    FunctionSpec::new("strTrimLeft", STRINGS_TO_STRING, "Remove the chars from the start."),
    FunctionSpec::new("strTrimPrefix", STRINGS_TO_STRING, "Remove the prefix if present."),
    FunctionSpec::new("strTrimRight", STRINGS_TO_STRING, "Remove the chars from the end."),
    FunctionSpec::new("strTrimSpace", STRING_TO_STRING, "Remove white space from both ends."),
    FunctionSpec::new("strTrimSuffix", STRINGS_TO_STRING, "Remove the suffix if present."),
    FunctionSpec::new(
        "regexReplace",
        &[sig(&[V::Regex, V::String, V::String], V::String)],
        "Replace every match in src, expanding $1 in the replacement.",
    ),
    FunctionSpec::new(
        "isPresent",
        conversions!(V::Bool; Missing, Bool, String, Int, Float),
        "Whether the referenced field or tag exists.",
    ),
    // Time (the `"time"` reference, in the server's local zone).
    FunctionSpec::new("unixNano", TIME_TO_INT, "Nanoseconds since the Unix epoch."),
    FunctionSpec::new("minute", TIME_TO_INT, "Minute of the hour, 0-59."),
    FunctionSpec::new("hour", TIME_TO_INT, "Hour of the day, 0-23."),
    FunctionSpec::new("weekday", TIME_TO_INT, "Day of the week, 0 = Sunday."),
    FunctionSpec::new("day", TIME_TO_INT, "Day of the month, 1-31."),
    FunctionSpec::new("month", TIME_TO_INT, "Month of the year, 1-12."),
    FunctionSpec::new("year", TIME_TO_INT, "Year."),
    FunctionSpec::new("now", &[sig(&[], V::Time)], "The current wall-clock time."),
    FunctionSpec::new("humanBytes", conversions!(V::String; Float, Int), "Byte count in SI units (`1.5 MB`)."),
    FunctionSpec::new(
        "if",
        &[
            sig(&[V::Bool, V::Float, V::Float], V::Float),
            sig(&[V::Bool, V::Int, V::Int], V::Int),
            sig(&[V::Bool, V::String, V::String], V::String),
            sig(&[V::Bool, V::Bool, V::Bool], V::Bool),
            sig(&[V::Bool, V::Regex, V::Regex], V::Regex),
            sig(&[V::Bool, V::Time, V::Time], V::Time),
            sig(&[V::Bool, V::Duration, V::Duration], V::Duration),
        ],
        "The second argument if the condition holds, else the third.",
    ),
    // Stateful: each expression keeps its own state (per group where the node copies it).
    FunctionSpec::new("sigma", FLOAT_TO_FLOAT, "Distance from the running mean in standard deviations.").stateful(),
    FunctionSpec::new("count", &[sig(&[], V::Int)], "Number of evaluations so far, from 1.").stateful(),
    FunctionSpec::new("spread", FLOAT_TO_FLOAT, "Running max minus min.").stateful(),
    FunctionSpec::new(
        "rand",
        &[sig(&[], V::Int), sig(&[V::Int], V::Int)],
        "Random non-negative int, below n if given.",
    )
    .stateful()
    .since(Since::V1_6),
];
