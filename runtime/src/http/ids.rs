//! Ids of recordings and replays: random UUIDs (the version 4 layout, as Kapacitor makes
//! them), and the check on an id a client chooses, which names a file.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

/// The longest id a client may choose.
const MAX_ID_LEN: usize = 200;

/// A new random id, `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
pub(crate) fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // Each `RandomState` is seeded with fresh random keys, so hashing a counter through two of
    // them gives 128 unpredictable bits without a random-number crate; ids only need to be
    // unique and hard to guess by accident.
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let high = RandomState::new().hash_one(count);
    let low = RandomState::new().hash_one(count);
    let mut bits = (u128::from(high) << 64) | u128::from(low);
    // The version (4) and variant (10) bits of a random UUID.
    bits = (bits & !(0xf_u128 << 76)) | (0x4_u128 << 76);
    bits = (bits & !(0x3_u128 << 62)) | (0x2_u128 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Whether `id`, chosen by a client, may name a recording or replay: letters, digits, `-`, `_`
/// and `.`, not starting with a dot (it becomes a file name).
pub(crate) fn check_id(id: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if id.is_empty() || id.len() > MAX_ID_LEN || id.starts_with('.') || !id.chars().all(allowed) {
        return Err(format!(
            "invalid id {id:?}: use up to {MAX_ID_LEN} letters, digits, '-', '_' and '.', not starting with '.'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_version_4_uuids_and_differ() {
        let a = new_id();
        let b = new_id();
        assert_ne!(a, b);
        for id in [&a, &b] {
            let groups: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
            assert_eq!(id.as_bytes()[14], b'4', "{id}");
            assert!(matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'), "{id}");
            assert!(check_id(id).is_ok());
        }
    }

    #[test]
    fn chosen_ids_cannot_leave_their_folder() {
        for bad in ["", "../x", "a/b", ".hidden", "a b", "é", &"x".repeat(201)] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
        for good in ["my-recording", "rec_1.v2", "dc367b27-9837-418b-b8c7-52eca976df16"] {
            assert!(check_id(good).is_ok(), "{good:?}");
        }
    }
}
