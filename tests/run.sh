#!/usr/bin/env bash
# The test command (README): sets up what the tests need, runs every test of the workspace, and
# leaves nothing running. Safe on a fresh machine: it installs only what is missing (Debian's
# influxdb package, for the tests that talk to a real InfluxDB).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
    echo "tests/run.sh: cargo is required (https://rustup.rs)" >&2
    exit 2
fi
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Line tables are all a failing test's backtrace needs: with full debug info a cold run left
# at least twice as much in target/ (over 11 GB against 5.5 GB; trybuild's project 2.8 GB against 1.0 GB).
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}"
# A build that runs out of room fails in ways that look like test failures: say how much there was.
disk_free() { df -h --output=avail "$PWD" 2>/dev/null | tail -n 1 | tr -d ' '; }
echo "== disk: $(disk_free) free for target/"

# A private InfluxDB on a free loopback port, its data under target/, stopped on exit.
influx_dir="$PWD/target/test-influxdb"
trap 'bash tests/influxdb.sh stop "$influx_dir" >/dev/null 2>&1 || true' EXIT
if influx_env=$(bash tests/influxdb.sh start "$influx_dir"); then
    eval "export $(echo "$influx_env" | grep '^INFLUXDB_URL=')"
    echo "== InfluxDB at $INFLUXDB_URL"
else
    echo "== InfluxDB could not be started: the tests that need it will say they were skipped" >&2
fi

echo "== cargo test (workspace)"
status=0
cargo test --workspace --no-fail-fast 2>&1 || status=$?

# The fuzz targets' corpora (seeds and kept crash inputs) replayed on stable; the fuzz workspace
# is separate, its build shares target/. libFuzzer runs: fuzz/run.sh and docs/fuzzing.md.
echo "== fuzz corpora (fuzz/targets)"
cargo test --manifest-path fuzz/Cargo.toml -p tickc-fuzz-targets --target-dir target 2>&1 || status=$?
echo "== disk: $(disk_free) free at the end"
exit "$status"
