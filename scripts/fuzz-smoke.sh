#!/usr/bin/env bash
# Runs the snapshot loader's fuzz target for a short while (default 60 s) and
# fails on any crash, panic, timeout or runaway allocation. Installs
# cargo-fuzz if missing. Works on stable Rust (`-s none`: no sanitizer; the
# loader has no unsafe code, and libFuzzer's own -rss_limit_mb and
# -malloc_limit_mb catch unbounded allocation).
#
# Usage: scripts/fuzz-smoke.sh [seconds]
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# Start from the committed seeds (valid snapshots written independently of
# the library, by make_seeds.py) plus whatever earlier runs found.
mkdir -p corpus/snapshot_load
cp seeds/*.kvs corpus/snapshot_load/

cargo fuzz run snapshot_load -s none corpus/snapshot_load -- \
    -max_total_time="$seconds" \
    -rss_limit_mb=1024 \
    -malloc_limit_mb=256 \
    -timeout=10 \
    -print_final_stats=1
