//! Runs of ASCII digits and their values, read eight bytes at a time where they are long
//! (a nanosecond timestamp has nineteen digits).

/// Digits a `u64` always holds (`10^19 - 1 < 2^64`).
const ALWAYS_FITS: usize = 19;

/// How many ASCII digits `bytes` starts with.
pub(crate) fn leading_digits(bytes: &[u8]) -> usize {
    bytes.iter().position(|b| !b.is_ascii_digit()).unwrap_or(bytes.len())
}

/// How many ASCII digits `bytes` starts with, and their value (`None` beyond `u64`).
pub(crate) fn leading_number(bytes: &[u8]) -> (usize, Option<u64>) {
    let mut count = 0;
    let mut value = 0_u64;
    // Whole groups of eight while the value surely fits.
    while count + 8 <= ALWAYS_FITS {
        match bytes.get(count..count + 8).and_then(|group| eight_digits(group.try_into().ok()?)) {
            Some(eight) => {
                value = value * 100_000_000 + eight;
                count += 8;
            }
            None => break,
        }
    }
    while let Some(digit) = bytes.get(count).map(|b| b.wrapping_sub(b'0')).filter(|&d| d < 10) {
        if count == ALWAYS_FITS {
            return checked_number(bytes);
        }
        value = value * 10 + u64::from(digit);
        count += 1;
    }
    (count, Some(value))
}

/// [`leading_number`] for digits that may not fit, one at a time with overflow checks
/// (leading zeros may still make a long number fit).
fn checked_number(bytes: &[u8]) -> (usize, Option<u64>) {
    let count = leading_digits(bytes);
    let digits = bytes.get(..count).unwrap_or_default();
    let value = digits
        .iter()
        .try_fold(0_u64, |value, &b| value.checked_mul(10)?.checked_add(u64::from(b - b'0')));
    (count, value)
}

/// The value of eight ASCII digits, or `None` if any byte is not one.
fn eight_digits(group: [u8; 8]) -> Option<u64> {
    const ZEROS: u64 = u64::from_ne_bytes([b'0'; 8]);
    const HIGH_NIBBLES: u64 = u64::from_ne_bytes([0xf0; 8]);
    const SIXES: u64 = u64::from_ne_bytes([6; 8]);
    const THREES: u64 = u64::from_ne_bytes([0x33; 8]);
    // Little-endian: the first digit is the lowest byte, whatever the machine.
    let bytes = u64::from_le_bytes(group);
    // A byte is a digit (0x30..=0x39) when its high nibble is 3 and adding 6 keeps it 3.
    if (bytes & HIGH_NIBBLES) | ((bytes.wrapping_add(SIXES) & HIGH_NIBBLES) >> 4) != THREES {
        return None;
    }
    // Each byte now holds a digit 0..=9; combine neighbours into pairs, then fours, then eight.
    let digits = bytes - ZEROS;
    let pairs = (digits * 10 + (digits >> 8)) & 0x00ff_00ff_00ff_00ff;
    let fours = (pairs * 100 + (pairs >> 16)) & 0x0000_ffff_0000_ffff;
    Some((fours * 10_000 + (fours >> 32)) & 0xffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_groups_of_eight_and_what_is_left() {
        assert_eq!(eight_digits(*b"12345678"), Some(12_345_678));
        assert_eq!(eight_digits(*b"00000000"), Some(0));
        assert_eq!(eight_digits(*b"99999999"), Some(99_999_999));
        for bad in [*b"1234567/", *b":2345678", *b"1234 678", *b"\xb0\xb1234567"] {
            assert_eq!(eight_digits(bad), None, "{bad:?}");
        }
        assert_eq!(leading_number(b""), (0, Some(0)));
        assert_eq!(leading_number(b"1700000000000000000 "), (19, Some(1_700_000_000_000_000_000)));
        assert_eq!(leading_number(b"18446744073709551615"), (20, Some(u64::MAX)));
        assert_eq!(leading_number(b"18446744073709551616x"), (20, None));
        assert_eq!(leading_number(b"0000000000000000000000042"), (25, Some(42)));
    }

    proptest::proptest! {
        /// Whatever the digits and what follows them, the count and value are the plain ones.
        #[test]
        fn reads_as_digit_by_digit_reading_does(text in "[0-9]{0,30}[0-9 x/:]{0,10}") {
            let bytes = text.as_bytes();
            let count = leading_digits(bytes);
            let value = bytes[..count]
                .iter()
                .try_fold(0_u64, |v, &b| v.checked_mul(10)?.checked_add(u64::from(b - b'0')));
            proptest::prop_assert_eq!(leading_number(bytes), (count, value), "{:?}", text);
        }
    }
}
