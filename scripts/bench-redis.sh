#!/usr/bin/env bash
# kvs serve vs Debian's redis-server, side by side in one run:
#   redis-benchmark -t set,get -n $N -c $CLIENTS with -P 1 and -P 16
#   (requests/s, p50, p99), and resident memory per key after loading
#   about $KEYS random keys into each (RSS growth / DBSIZE).
# Prints a markdown table with kvs/redis ratios. Run it on a quiet machine:
#   scripts/bench-redis.sh                 # the full run (N=1000000)
#   N=20000 KEYS=20000 scripts/bench-redis.sh   # a quick smoke run
#   KVS_ARGS="--threads 1" scripts/bench-redis.sh # extra flags for kvs serve
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
KEYS=${KEYS:-1000000}
CLIENTS=${CLIENTS:-50}
PIDS=()
WORK=$(mktemp -d)
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq redis-server redis-tools >/dev/null
fi
cargo build --release -q -p kvs-cli

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_up() {
    for _ in $(seq 1 200); do
        redis-cli -p "$1" PING 2>/dev/null | grep -q PONG && return 0
        sleep 0.05
    done
    echo "server on port $1 did not start" >&2
    return 1
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# start NAME: starts a fresh server, sets PORT and PID.
start() {
    PORT=$(free_port)
    case $1 in
        kvs)
            mkdir -p "$WORK/kvs-$PORT"
            # shellcheck disable=SC2086 # KVS_ARGS is a list of flags
            target/release/kvs serve --port "$PORT" --dir "$WORK/kvs-$PORT" --save "" --loglevel warn \
                ${KVS_ARGS:-} >"$WORK/kvs-$PORT.log" 2>&1 &
            ;;
        redis)
            redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
                --dir "$WORK" --logfile "$WORK/redis-$PORT.log" &
            ;;
    esac
    PID=$!
    PIDS+=("$PID")
    wait_up "$PORT"
}
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

declare -A RPS P50 P99 MEM
for server in kvs redis; do
    # Memory first, on a fresh server: RSS growth per key after loading.
    start "$server"
    before=$(rss_kb "$PID")
    redis-benchmark -h 127.0.0.1 -p "$PORT" -t set -r "$KEYS" -n $((2 * KEYS)) -c "$CLIENTS" -P 16 -q >/dev/null 2>&1
    after=$(rss_kb "$PID")
    keys=$(redis-cli -p "$PORT" DBSIZE)
    MEM[$server]=$(awk -v a="$after" -v b="$before" -v k="$keys" 'BEGIN { printf "%.1f", (a - b) * 1024 / k }')
    echo "$server: $keys keys, RSS ${before} kB -> ${after} kB: ${MEM[$server]} bytes/key" >&2
    redis-cli -p "$PORT" FLUSHALL >/dev/null
    for p in 1 16; do
        csv=$(redis-benchmark -h 127.0.0.1 -p "$PORT" -t set,get -n "$N" -c "$CLIENTS" -P "$p" --csv 2>/dev/null)
        echo "$server -P $p:" >&2
        echo "$csv" >&2
        for t in SET GET; do
            line=$(echo "$csv" | grep "^\"$t\"")
            RPS[$server,$t,$p]=$(echo "$line" | cut -d, -f2 | tr -d '"')
            P50[$server,$t,$p]=$(echo "$line" | cut -d, -f5 | tr -d '"')
            P99[$server,$t,$p]=$(echo "$line" | cut -d, -f7 | tr -d '"')
        done
    done
    stop "$PID"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

echo
echo "redis-benchmark -n $N -c $CLIENTS, $(redis-server --version | awk '{print $1, $2, $3}'), kvs $(target/release/kvs --version | awk '{print $2}'), $(nproc) CPUs"
echo
echo "| test | kvs req/s | redis req/s | kvs/redis | kvs p50 ms | redis p50 ms | kvs p99 ms | redis p99 ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for p in 1 16; do
    for t in SET GET; do
        echo "| $t -P $p | ${RPS[kvs,$t,$p]} | ${RPS[redis,$t,$p]} | $(ratio "${RPS[kvs,$t,$p]}" "${RPS[redis,$t,$p]}") | ${P50[kvs,$t,$p]} | ${P50[redis,$t,$p]} | ${P99[kvs,$t,$p]} | ${P99[redis,$t,$p]} |"
    done
done
echo
echo "| memory | kvs | redis | kvs/redis |"
echo "|---|---:|---:|---:|"
echo "| RSS bytes per key (~$KEYS random keys, 3-byte values) | ${MEM[kvs]} | ${MEM[redis]} | $(ratio "${MEM[kvs]}" "${MEM[redis]}") |"
