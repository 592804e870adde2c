#!/usr/bin/env bash
# The whole-process benchmark in one command: builds tickc and the bench driver in release,
# then runs every case (1M points, 3 rounds of one run per case, medians) and prints the Markdown table on
# standard output (progress on standard error). Arguments go to the driver, e.g.
#   bash bench/run.sh --points 200000 --runs 1
#   bash bench/run.sh --cases p95,replay
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
cargo build --release -p tickc -p tickc-bench
exec target/release/bench --tickc target/release/tickc "$@"
