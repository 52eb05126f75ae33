#!/usr/bin/env bash
# Runs the snapshot loader's fuzz targets for a short while (default 60 s in
# all: half for `snapshot_load`, the library's loader into plain value types,
# half for `server_load`, `kvs serve`'s values with every type) and fails on
# any crash, panic, timeout or runaway allocation. Installs cargo-fuzz if
# missing. Works on stable Rust (`-s none`: no sanitizer; the loader has no
# unsafe code, and libFuzzer's own -rss_limit_mb and -malloc_limit_mb catch
# unbounded allocation).
#
# Usage: scripts/fuzz-smoke.sh [seconds]
set -euo pipefail

seconds="${1:-60}"
per_target=$(( seconds / 2 ))
(( per_target >= 1 )) || per_target=1
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# Build both first, so that the time budget goes to fuzzing.
cargo fuzz build -s none snapshot_load
cargo fuzz build -s none server_load

# Start from the committed seeds (valid snapshots written independently of
# the library, by make_seeds.py) plus whatever earlier runs found. The
# server target gets the plain seeds too: they are value-version-0 files,
# which it converts.
mkdir -p corpus/snapshot_load corpus/server_load
cp seeds/*.kvs corpus/snapshot_load/
cp seeds/*.kvs seeds/server/*.kvs corpus/server_load/

for target in snapshot_load server_load; do
    cargo fuzz run "$target" -s none "corpus/$target" -- \
        -max_total_time="$per_target" \
        -rss_limit_mb=1024 \
        -malloc_limit_mb=256 \
        -timeout=10 \
        -print_final_stats=1
done
