#!/usr/bin/env bash
# The test command (README): sets up what the tests need, then runs every test of the workspace.
# Safe to run on a fresh machine: it installs nothing it does not need and leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
    echo "tests/run.sh: cargo is required (https://rustup.rs)" >&2
    exit 2
fi

# One target folder for the workspace and for the task crates the tests compile, so the runtime
# is compiled once per run.
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== cargo test (workspace)"
cargo test --workspace --no-fail-fast 2>&1
