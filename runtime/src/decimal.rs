//! Short decimals (`80.38`: digits and a point, no exponent) and the floats they stand for,
//! converted both ways with one exact division or multiplication (Clinger's fast path) where
//! that settles the answer, so that reading and writing the usual metric values skips the
//! general algorithms; anything else is left to them.

/// A decimal without exponent: its digits as an integer and how many of them follow the point.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decimal {
    pub(crate) digits: u64,
    pub(crate) fraction_digits: u32,
}

/// Powers of ten that an `f64` holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The most fraction digits [`Decimal::shortest`] looks at.
const MAX_SHORTEST_FRACTION_DIGITS: usize = 15;

impl Decimal {
    /// The value, when one division gives it exactly rounded: digits below 2^53 and a power
    /// of ten an `f64` holds are both exact, and IEEE division rounds correctly. Other
    /// decimals go to the general parser.
    pub(crate) fn exact(self) -> Option<f64> {
        const MAX_EXACT_INTEGER: u64 = 1 << 53;
        if self.digits > MAX_EXACT_INTEGER {
            return None;
        }
        let power = EXACT_POWERS_OF_TEN.get(usize::try_from(self.fraction_digits).ok()?)?;
        // `digits` is at most 2^53 here, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        Some(self.digits as f64 / power)
    }

    /// The shortest decimal that reads back as `abs` (non-negative and finite), and of those
    /// the nearest: the digits a shortest-round-trip formatter (Rust's `{}`, Go's 'f' with
    /// precision -1) prints. `None` when one step cannot settle it, for the general formatter
    /// to answer.
    ///
    /// The step: take K, the most fraction digits (at most 15) that keep `abs * 10^K` below
    /// 2^49. There an `f64`'s spacing is under 1/8 of 10^-K, so a decimal of K or fewer fraction
    /// digits that reads back as `abs` lies within 1/16 of a K-digit step of it: it is the
    /// K-digit decimal nearest `abs`, and the only one of that length or shorter that reads
    /// back. So: round `abs * 10^K` (off by at most 1/32 below 2^49) to m; if it lies within
    /// 1/8 of m and `m / 10^K` reads back as `abs` (one correctly rounded division, as
    /// [`Decimal::exact`] reads it), m without its trailing zeros is the answer; else no
    /// decimal of up to K fraction digits reads back.
    pub(crate) fn shortest(abs: f64) -> Option<Decimal> {
        const LIMIT: f64 = (1_u64 << 49) as f64;
        let (k, power) = EXACT_POWERS_OF_TEN
            .iter()
            .enumerate()
            .take(MAX_SHORTEST_FRACTION_DIGITS + 1)
            .rev()
            .find(|&(_, power)| abs * power < LIMIT)?;
        let scaled = abs * power;
        let m = scaled.round();
        if (scaled - m).abs() >= 0.125 || m / power != abs {
            return None;
        }
        // `m` is a whole number below 2^49: the conversion is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let mut digits = m as u64;
        let mut fraction_digits = u32::try_from(k).ok()?;
        // Trailing zeros dropped a few at a time: a short value has many at K digits.
        for (zeros, power) in [(8, 100_000_000), (4, 10_000), (2, 100), (1, 10)] {
            while fraction_digits >= zeros && digits.is_multiple_of(power) {
                digits /= power;
                fraction_digits -= zeros;
            }
        }
        Some(Decimal { digits, fraction_digits })
    }

    /// Appends the decimal (`-` first when `negative`): `0.05`, `80.38`, `7`.
    pub(crate) fn write(self, out: &mut String, negative: bool) {
        // A `u64` has at most 20 digits, so the buffer holds them all.
        let mut text = [0_u8; 20];
        let mut start = text.len();
        let mut rest = self.digits;
        loop {
            start -= 1;
            // A digit: the remainder is below 10.
            #[allow(clippy::cast_possible_truncation)]
            let digit = (rest % 10) as u8;
            text[start] = b'0' + digit;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        let digits = std::str::from_utf8(&text[start..]).unwrap_or_default();
        if negative {
            out.push('-');
        }
        let fraction = usize::try_from(self.fraction_digits).unwrap_or(usize::MAX);
        match digits.len().checked_sub(fraction) {
            Some(0) if fraction > 0 => {
                out.push_str("0.");
                out.push_str(digits);
            }
            Some(_) if fraction == 0 => out.push_str(digits),
            Some(whole) => {
                let (integer, decimals) = digits.split_at(whole);
                out.push_str(integer);
                out.push('.');
                out.push_str(decimals);
            }
            None => {
                out.push_str("0.");
                out.extend(std::iter::repeat_n('0', fraction - digits.len()));
                out.push_str(digits);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What the short path writes of `v`, if it answers.
    fn short(v: f64) -> Option<String> {
        let mut out = String::new();
        Decimal::shortest(v.abs())?.write(&mut out, v.is_sign_negative());
        Some(out)
    }

    /// Answers, when it does, as Rust's shortest round-trip formatting.
    fn agrees(v: f64) {
        if let Some(text) = short(v) {
            assert_eq!(text, format!("{v}"), "{v:e}");
        }
    }

    #[test]
    fn usual_metric_values_are_written_short() {
        let values = [(80.38, "80.38"), (-6.9, "-6.9"), (0.0, "0"), (-0.0, "-0"), (7.0, "7"), (0.5, "0.5"), (12.5, "12.5"), (0.05, "0.05"), (1e-6, "0.000001"), (123_456.789, "123456.789")];
        for (v, text) in values {
            assert_eq!(short(v).as_deref(), Some(text));
            agrees(v);
        }
    }

    #[test]
    fn every_hundredth_up_to_a_thousand_agrees() {
        let mut answered = 0;
        for i in 0..100_000 {
            let v = f64::from(i) / 100.0;
            agrees(v);
            agrees(-v);
            answered += usize::from(short(v).is_some());
        }
        assert_eq!(answered, 100_000, "all of them are short decimals");
    }

    #[test]
    fn values_needing_many_digits_are_left_to_the_general_formatter() {
        assert_eq!(short(0.1 + 0.2), None, "0.30000000000000004 has 17 fraction digits");
        assert_eq!(short(1e300), None);
        assert_eq!(short(f64::from(u32::MAX) * 1e6), None, "past 2^49");
    }

    #[test]
    fn any_decimal_is_written_with_its_point_in_place() {
        let write = |digits, fraction_digits| {
            let mut out = String::new();
            Decimal { digits, fraction_digits }.write(&mut out, false);
            out
        };
        assert_eq!(write(0, 0), "0");
        assert_eq!(write(8038, 2), "80.38");
        assert_eq!(write(5, 1), "0.5");
        assert_eq!(write(5, 3), "0.005");
        assert_eq!(write(u64::MAX, 0), "18446744073709551615");
        assert_eq!(write(u64::MAX, 20), "0.18446744073709551615");
        assert_eq!(write(12, 30), "0.000000000000000000000000000012");
    }

    #[test]
    fn reading_back_what_is_written_gives_the_value() {
        for v in [80.38, 0.05, 123_456.789, 99.999_999] {
            let decimal = Decimal::shortest(v).unwrap();
            assert_eq!(decimal.exact(), Some(v));
        }
    }

    proptest! {
        #[test]
        fn any_float_agrees(v in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
            agrees(v);
        }

        #[test]
        fn short_decimals_and_their_neighbours_agree(digits in 0_u64..1 << 53, k in 0_u32..16, nudge in -2_i64..=2) {
            let v = digits as f64 / 10f64.powi(k as i32);
            agrees(f64::from_bits(v.to_bits().wrapping_add_signed(nudge)));
        }

        #[test]
        fn floats_of_every_magnitude_agree(mantissa in 1.0_f64..10.0, exponent in -6_i32..21) {
            agrees(mantissa * 10f64.powi(exponent));
        }

        #[test]
        fn near_halves_agree(m in 0_u64..1 << 40, k in 0_u32..10, nudge in -4_i64..4) {
            let v = (m as f64 + 0.5) / 10f64.powi(k as i32);
            agrees(f64::from_bits(v.to_bits().wrapping_add_signed(nudge)));
        }
    }
}
