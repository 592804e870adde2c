//! The runtime sources, workspace manifest, lock file and templates, embedded at compile time
//! (see build.rs), so an installed tickc needs no checkout of its repository.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The contents of an embedded file, by workspace-relative path.
pub fn file(path: &str) -> Option<&'static str> {
    FILES.iter().find(|(p, _)| *p == path).map(|(_, c)| *c)
}

/// A digest of every embedded file (FNV-1a, 64 bits): names the extracted copy, so a tickc with
/// a different runtime never reuses a stale one.
pub fn digest() -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (path, contents) in FILES {
        for b in path.bytes().chain([0]).chain(contents.bytes()).chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}
