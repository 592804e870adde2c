#!/usr/bin/env bash
# A bounded fuzz run: every target for SECONDS (default 20) over its checked-in corpus, failing
# on the first crash (libFuzzer saves the input under fuzz/artifacts/TARGET/). Installs
# cargo-fuzz into target/cargo-fuzz when it is missing. Works on the stable toolchain: without a
# sanitizer (`-s none`, safe Rust needs none) cargo-fuzz passes rustc only stable `-C` flags.
# Longer runs and what they found: docs/fuzzing.md.
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
if (( ${#targets[@]} == 0 )); then
    targets=(lineproto write frontend)
fi

root="$PWD/target/cargo-fuzz"
export PATH="$root/bin:$PATH"
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz into $root"
    cargo install cargo-fuzz --locked --root "$root"
fi
export CARGO_INCREMENTAL=0

# Sixteen codegen units build much faster than cargo-fuzz's default of one, for a little speed.
options=(--sanitizer none --codegen-units 16)
echo "== building the fuzz targets"
cargo fuzz build "${options[@]}"
for target in "${targets[@]}"; do
    # New inputs go to a scratch folder, so the checked-in corpus changes only on purpose.
    scratch="target/fuzz-corpus/$target"
    mkdir -p "$scratch"
    echo "== fuzzing $target for ${seconds}s"
    cargo fuzz run "${options[@]}" "$target" "$scratch" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1
done
