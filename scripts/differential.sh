#!/usr/bin/env bash
# Differential test of `kvs serve` against a real redis-server, run longer
# than CI does. Usage:
#
#   scripts/differential.sh [seconds] [seed] [families]
#
#   seconds   how long to run (default 300)
#   seed      the run's seed, decimal or 0x-hex (default: random, printed)
#   families  comma-separated command families (default: the ones on by
#             default: string,keyspace; "all" for every one)
#
# Extra knobs pass through the environment: KVS_DIFF_KEEP_GOING=1 collects
# every distinct failure instead of stopping at the first, KVS_DIFF_ROUND=N
# replays one round, KVS_DIFF_SELF_TEST=1 runs redis-server against itself.
# Needs redis-server on PATH (apt-get install redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-300}
seed=${2:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}
families=${3:-}

echo "differential: ${seconds} s, seed ${seed}, families ${families:-default}"
export KVS_REQUIRE_REDIS=1
export KVS_DIFF_SECONDS="$seconds"
export KVS_DIFF_SEED="$seed"
if [ -n "$families" ]; then
    export KVS_DIFF_FAMILIES="$families"
fi
exec cargo test -p kvs-server --test differential -- --nocapture
