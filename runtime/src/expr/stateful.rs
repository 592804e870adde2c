//! The builtins that remember earlier calls: `sigma`, `count`, `spread` and `rand`.
//!
//! Each call site of a lambda owns its own instance (Kapacitor creates them per expression),
//! and the node decides whose: where/eval keep one per group, an alert node's level expressions
//! share one across groups.

use std::hash::{BuildHasher, Hasher};

use super::error::{EvalError, Signature};
use super::functions::{CallError, call_error};
use super::value::{Type, Value};

const FLOAT_TO_FLOAT: &[Signature] = &[Signature {
    args: &[Type::Float],
    returns: Type::Float,
}];
const NONE_TO_INT: &[Signature] = &[Signature {
    args: &[],
    returns: Type::Int,
}];
const RAND_SIGNATURES: &[Signature] = &[
    Signature {
        args: &[],
        returns: Type::Int,
    },
    Signature {
        args: &[Type::Int],
        returns: Type::Int,
    },
];

/// How many standard deviations a value is from the running mean of every value so far,
/// itself included (Welford's algorithm, sample variance). 0 until there are two values, and
/// while they are all equal.
#[derive(Debug, Clone, Default)]
pub struct Sigma {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Sigma {
    pub fn update(&mut self, x: f64) -> f64 {
        self.n += 1.0;
        let delta = x - self.mean;
        self.mean += delta / self.n;
        self.m2 += delta * (x - self.mean);
        let variance = self.m2 / (self.n - 1.0);
        if self.n < 2.0 || variance == 0.0 {
            0.0
        } else {
            (x - self.mean).abs() / variance.sqrt()
        }
    }

    pub fn call<'a>(&mut self, args: &[Value<'a>]) -> Result<Value<'a>, EvalError> {
        match args {
            [Value::Float(x)] => Ok(Value::Float(self.update(*x))),
            _ => Err(call_error(
                "sigma",
                FLOAT_TO_FLOAT,
                args,
                CallError::Signature,
            )),
        }
    }
}

/// How many times it has been called: 1, 2, 3...
#[derive(Debug, Clone, Default)]
pub struct Count {
    n: i64,
}

impl Count {
    pub fn increment(&mut self) -> i64 {
        self.n = self.n.wrapping_add(1);
        self.n
    }

    pub fn call<'a>(&mut self, args: &[Value<'a>]) -> Result<Value<'a>, EvalError> {
        match args {
            [] => Ok(Value::Int(self.increment())),
            _ => Err(call_error("count", NONE_TO_INT, args, CallError::Signature)),
        }
    }
}

/// The running range (max - min) of every value so far.
#[derive(Debug, Clone)]
pub struct Spread {
    min: f64,
    max: f64,
}

impl Default for Spread {
    fn default() -> Self {
        Spread {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Spread {
    pub fn update(&mut self, x: f64) -> f64 {
        // Written as comparisons rather than f64::min/max so that a NaN is ignored, as in Go.
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
        self.max - self.min
    }

    pub fn call<'a>(&mut self, args: &[Value<'a>]) -> Result<Value<'a>, EvalError> {
        match args {
            [Value::Float(x)] => Ok(Value::Float(self.update(*x))),
            _ => Err(call_error(
                "spread",
                FLOAT_TO_FLOAT,
                args,
                CallError::Signature,
            )),
        }
    }
}

/// Random non-negative ints: `rand()` over the whole range, `rand(n)` in `[0, n)`. Kapacitor's
/// generator is not reproduced, only the ranges (a negative `n` is taken as the unsigned number
/// of the same bits, as Go's conversion does).
#[derive(Debug, Clone)]
pub struct Rand {
    state: u64,
}

impl Default for Rand {
    fn default() -> Self {
        // RandomState is seeded from the OS once per process and varied per instance: a seed
        // that needs no extra dependency.
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Rand::with_seed(seed)
    }
}

impl Rand {
    pub fn with_seed(seed: u64) -> Self {
        Rand { state: seed }
    }

    /// SplitMix64: small, fast and statistically sound for this use.
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number below `bound` (> 0), rejecting the biased tail.
    fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % bound;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % bound;
            }
        }
    }

    /// The next number, in `[0, bound)` when a bound is given.
    pub fn draw(&mut self, bound: Option<i64>) -> Result<i64, EvalError> {
        let raw = match bound {
            None => self.next_u64(),
            Some(0) => {
                return Err(EvalError::Call {
                    name: "rand",
                    message: "rand expects a non-zero bound".into(),
                });
            }
            Some(n) => self.below(n as u64),
        };
        Ok((raw & (i64::MAX as u64)) as i64)
    }

    pub fn call<'a>(&mut self, args: &[Value<'a>]) -> Result<Value<'a>, EvalError> {
        match args {
            [] => self.draw(None).map(Value::Int),
            [Value::Int(n)] => self.draw(Some(*n)).map(Value::Int),
            _ => Err(call_error(
                "rand",
                RAND_SIGNATURES,
                args,
                CallError::Signature,
            )),
        }
    }
}

/// A stateful builtin chosen by name, for callers that dispatch at run time.
#[derive(Debug, Clone)]
pub enum StatefulFunction {
    Sigma(Sigma),
    Count(Count),
    Spread(Spread),
    Rand(Rand),
}

impl StatefulFunction {
    /// A fresh instance of the stateful builtin `name`, if it is one.
    pub fn new(name: &str) -> Option<Self> {
        match name {
            "sigma" => Some(StatefulFunction::Sigma(Sigma::default())),
            "count" => Some(StatefulFunction::Count(Count::default())),
            "spread" => Some(StatefulFunction::Spread(Spread::default())),
            "rand" => Some(StatefulFunction::Rand(Rand::default())),
            _ => None,
        }
    }

    pub fn call<'a>(&mut self, args: &[Value<'a>]) -> Result<Value<'a>, EvalError> {
        match self {
            StatefulFunction::Sigma(f) => f.call(args),
            StatefulFunction::Count(f) => f.call(args),
            StatefulFunction::Spread(f) => f.call(args),
            StatefulFunction::Rand(f) => f.call(args),
        }
    }

    /// Forgets everything seen so far (the RNG keeps going: only its sequence is state).
    pub fn reset(&mut self) {
        match self {
            StatefulFunction::Sigma(f) => *f = Sigma::default(),
            StatefulFunction::Count(f) => *f = Count::default(),
            StatefulFunction::Spread(f) => *f = Spread::default(),
            StatefulFunction::Rand(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sample standard deviation of all values, by the textbook formula.
    fn hand_sigma(values: &[f64]) -> f64 {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let last = values[values.len() - 1];
        if variance == 0.0 {
            0.0
        } else {
            (last - mean).abs() / variance.sqrt()
        }
    }

    #[test]
    fn sigma_matches_a_hand_computation() {
        let values = [10.0, 12.0, 11.0, 30.0, 10.0, 9.5, 14.25];
        let mut sigma = Sigma::default();
        assert_eq!(sigma.update(values[0]), 0.0);
        for i in 1..values.len() {
            let got = sigma.update(values[i]);
            let want = hand_sigma(&values[..=i]);
            assert!(
                (got - want).abs() < 1e-12,
                "after {:?}: {got} vs {want}",
                &values[..=i]
            );
        }
    }

    #[test]
    fn sigma_matches_the_reference() {
        // Conformance case eval_sigma_per_group, group a: 10, 12, 11, 30, 10.
        let mut sigma = Sigma::default();
        let got: Vec<f64> = [10.0, 12.0, 11.0, 30.0, 10.0]
            .into_iter()
            .map(|x| sigma.update(x))
            .collect();
        let want = [
            0.0,
            0.7071067811865475,
            0.0,
            1.4944903395088995,
            0.5318718835723123,
        ];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn sigma_is_zero_while_values_are_equal() {
        let mut sigma = Sigma::default();
        assert_eq!([1.0, 1.0, 1.0].map(|x| sigma.update(x)), [0.0, 0.0, 0.0]);
        assert_eq!(sigma.update(2.0), 1.5);
    }

    #[test]
    fn sigma_takes_floats_only() {
        assert_eq!(
            Sigma::default()
                .call(&[Value::Int(1)])
                .unwrap_err()
                .to_string(),
            "Cannot call function \"sigma\" with args (int), available signatures are [(float)]."
        );
    }

    #[test]
    fn count_and_spread_run() {
        let mut count = Count::default();
        assert_eq!([(); 3].map(|_| count.increment()), [1, 2, 3]);
        let mut spread = Spread::default();
        assert_eq!(
            [5.0, 3.0, 4.0, 9.0].map(|x| spread.update(x)),
            [0.0, 2.0, 2.0, 6.0]
        );
    }

    #[test]
    fn rand_stays_in_range() {
        let mut rand = Rand::with_seed(7);
        for _ in 0..1000 {
            let x = rand.draw(Some(10)).unwrap();
            assert!((0..10).contains(&x));
            assert!(rand.draw(None).unwrap() >= 0);
        }
        assert!(rand.draw(Some(0)).is_err());
        assert!(rand.draw(Some(-1)).unwrap() >= 0);
    }

    #[test]
    fn dispatch_by_name_and_reset() {
        let mut f = StatefulFunction::new("count").unwrap();
        f.call(&[]).unwrap();
        assert_eq!(f.call(&[]), Ok(Value::Int(2)));
        f.reset();
        assert_eq!(f.call(&[]), Ok(Value::Int(1)));
        assert!(StatefulFunction::new("abs").is_none());
    }
}
