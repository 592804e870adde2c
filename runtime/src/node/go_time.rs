//! Rounding data times to a duration as Go's `time.Time` does (`Truncate`, `Round`): multiples
//! are counted from Go's zero time, 0001-01-01 UTC, not from the Unix epoch. For durations that
//! divide a day the two agree; for others (7s, a week...) Kapacitor's results follow Go's.

use crate::point::Time;

/// Nanoseconds from Go's zero time to the Unix epoch.
const GO_ZERO_TO_EPOCH_NS: i128 = 62_135_596_800 * 1_000_000_000;

/// How far `t` is past the last multiple of `d` (> 0), counted from Go's zero time.
fn excess(t: Time, d: i64) -> i64 {
    let since_zero = i128::from(t) + GO_ZERO_TO_EPOCH_NS;
    // The remainder is below d, so it fits an i64.
    i64::try_from(since_zero.rem_euclid(i128::from(d))).unwrap_or(0)
}

/// `t` rounded down to a multiple of `d`; `d <= 0` leaves it unchanged (as in Go).
pub fn truncate(t: Time, d: i64) -> Time {
    if d <= 0 {
        return t;
    }
    t.wrapping_sub(excess(t, d))
}

/// `t` rounded to the nearest multiple of `d`, halves up; `d <= 0` leaves it unchanged.
pub fn round(t: Time, d: i64) -> Time {
    if d <= 0 {
        return t;
    }
    let r = excess(t, d);
    // `r < d - r` without overflowing: halves go up, as in Go.
    if r < d - r {
        t.wrapping_sub(r)
    } else {
        t.wrapping_add(d - r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;
    const T0: i64 = 1_700_000_000 * S;

    #[test]
    fn day_divisors_align_to_the_epoch() {
        assert_eq!(truncate(T0 + 3 * S, 10 * S), T0);
        assert_eq!(round(T0 + 4 * S, 10 * S), T0);
        assert_eq!(round(T0 + 5 * S, 10 * S), T0 + 10 * S);
        assert_eq!(truncate(-S, 10 * S), -10 * S);
    }

    #[test]
    fn other_durations_count_from_year_one() {
        let week = 7 * 86_400 * S;
        // 1970-01-01 was a Thursday; Go's weeks start on Mondays (0001-01-01 was one).
        assert_eq!(truncate(0, week), -3 * 86_400 * S);
        let t = truncate(T0, 7 * S);
        assert!(t <= T0 && T0 - t < 7 * S);
        assert_eq!((i128::from(t) + GO_ZERO_TO_EPOCH_NS) % i128::from(7 * S), 0);
        assert_ne!(t % (7 * S), 0, "not aligned to the epoch");
    }

    #[test]
    fn non_positive_durations_change_nothing() {
        assert_eq!(truncate(T0 + 1, 0), T0 + 1);
        assert_eq!(round(T0 + 1, -5), T0 + 1);
    }
}
