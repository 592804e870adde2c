//! Parsing holds no memory once its results are dropped: the grammar is built for every script,
//! and it once leaked itself each time (reference cycles between recursive parsers; found by the
//! `frontend` fuzz target as a resident size growing with every input). A file of its own, so no
//! other test allocates in this process while it measures.

/// This process's resident memory in KiB, where Linux tells it.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn parsing_many_scripts_does_not_grow_memory() {
    let script = "var period = 5m\nstream\n    |from()\n        .measurement('cpu')\n    |window()\n        .period(period)\n    |mean('usage' + 1)\n";
    let parse_many = |times| {
        for _ in 0..times {
            let (program, diagnostics) = tickc::parser::parse(script);
            assert!(diagnostics.is_empty(), "{diagnostics:?}");
            drop(program);
        }
    };
    // Settle the allocator first.
    parse_many(200);
    let Some(before) = resident_kib() else {
        eprintln!("skipped: no /proc/self/status here");
        return;
    };
    parse_many(5_000);
    let grown = resident_kib().unwrap_or(before).saturating_sub(before);
    // The leak cost about 1.7 KiB a parse (8 MiB here); what is left is allocator noise.
    assert!(grown < 1_024, "resident memory grew by {grown} KiB over 5,000 parses");
}
