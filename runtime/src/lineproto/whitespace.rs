//! The whitespace line protocol skips before a line and between its sections.

/// The offset of the first byte at or after `from` that is not a space, a tab or a NUL
/// (InfluxDB 1.x skips all three there, though only a space separates sections).
pub(crate) fn skip_whitespace(bytes: &[u8], from: usize) -> usize {
    let skipped = bytes
        .get(from..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | 0))
        .count();
    from + skipped
}
