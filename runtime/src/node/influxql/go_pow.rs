//! `x` to a whole power the way Go's `math.Pow` computes it.
//!
//! Go does not call the C library: it squares the mantissa repeatedly and rounds at each
//! step, so its last bits differ from `f64::powi`/`powf`. holtWinters accumulates such powers
//! inside an optimiser whose path depends on comparisons of its results, so the difference
//! can show in its forecasts.

/// `x^n` with Go's algorithm and special cases, for `n >= 0`.
pub(super) fn go_pow_whole(x: f64, n: u64) -> f64 {
    if n == 0 || x == 1.0 {
        return 1.0;
    }
    if n == 1 {
        return x;
    }
    if x.is_nan() {
        return f64::NAN;
    }
    let odd = n % 2 == 1;
    if x == 0.0 {
        return if odd { x } else { 0.0 };
    }
    if x.is_infinite() {
        return if x < 0.0 && odd {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let (mut x1, mut xe) = frexp(x);
    let (mut a1, mut ae) = (1.0, 0i64);
    let mut bits = n;
    while bits != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            // Certain overflow or underflow: let ldexp saturate.
            ae += xe;
            break;
        }
        if bits & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        bits >>= 1;
    }
    ldexp(a1, ae)
}

/// Splits a finite non-zero `x` into a mantissa in [0.5, 1) and a power of two.
fn frexp(x: f64) -> (f64, i64) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    // Subnormals are scaled into the normal range first.
    let (x, adjust) = if x.abs() < f64::MIN_POSITIVE {
        (x * (1u64 << 52) as f64, -52)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1022 + adjust;
    let mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (mantissa, exp)
}

/// `frac * 2^exp`, rounded once, saturating to infinity or zero.
fn ldexp(frac: f64, exp: i64) -> f64 {
    if frac == 0.0 || !frac.is_finite() {
        return frac;
    }
    let (m, e) = frexp(frac);
    let exp = exp.saturating_add(e);
    if exp > 1024 {
        f64::INFINITY.copysign(m)
    } else if exp < -1074 {
        0f64.copysign(m)
    } else if exp >= -1021 {
        (m * 2.0) * power_of_two(exp - 1)
    } else {
        // A subnormal result: build it exactly in the normal range, then round once.
        m * power_of_two(exp + 53) * power_of_two(-53)
    }
}

/// 2^e for a normal exponent (-1022..=1023).
fn power_of_two(e: i64) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_cases_match_ordinary_powers() {
        assert_eq!(go_pow_whole(2.0, 10), 1024.0);
        assert_eq!(go_pow_whole(0.5, 3), 0.125);
        assert_eq!(go_pow_whole(-3.0, 3), -27.0);
        assert_eq!(go_pow_whole(0.0, 4), 0.0);
        assert_eq!(go_pow_whole(7.0, 0), 1.0);
        assert!(go_pow_whole(f64::NAN, 2).is_nan());
    }

    #[test]
    fn close_to_the_true_power_and_saturating() {
        for (x, n) in [(0.3, 17u64), (0.7, 31), (0.999, 500), (1.1, 200)] {
            let got = go_pow_whole(x, n);
            let want = x.powf(n as f64);
            assert!(
                ((got - want) / want).abs() < 1e-13,
                "{x}^{n}: {got} vs {want}"
            );
        }
        assert_eq!(go_pow_whole(10.0, 400), f64::INFINITY);
        assert_eq!(go_pow_whole(0.1, 400), 0.0);
        // Deep in the subnormal range and still right.
        let tiny = go_pow_whole(0.5, 1070);
        assert_eq!(tiny, f64::from_bits(1 << 4));
    }

    #[test]
    fn frexp_and_ldexp_round_trip() {
        for x in [1.0, 0.75, 3.5e-310, -123456.789, f64::MAX] {
            let (m, e) = frexp(x);
            assert!((0.5..1.0).contains(&m.abs()), "{x}");
            assert_eq!(ldexp(m, e), x);
        }
    }
}
