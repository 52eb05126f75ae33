#!/usr/bin/env bash
# kvs serve vs Debian's redis-server, side by side in one run:
#   1. redis-benchmark -t $TESTS -n $N -c $CLIENTS with -P 1 and -P 16
#      (requests/s, p50, p99), on a fresh server each;
#   2. resident memory (RSS growth after loading, divided by what was loaded)
#      for each data set in $MEMORY: `strings` (about $KEYS random keys,
#      3-byte values), `hashes` (100k hashes of 10 fields, 10-byte values),
#      `list` (one list of 1M 10-byte elements), `intset` (one set of 1M
#      integers), `strset` (one set of 1M 16-byte strings);
#   3. a big delete: another client's PING latency (min, max, avg) while a
#      set of $BIGSET members is deleted with DEL.
# Prints markdown tables with kvs/redis ratios. Run it on a quiet machine:
#   scripts/bench-redis.sh                        # the full run
#   N=20000 KEYS=20000 SCALE=10 scripts/bench-redis.sh   # a quick smoke run
#   TESTS=set,get MEMORY=strings BIGSET=0 scripts/bench-redis.sh  # a subset
#   KVS_ARGS="--threads 1" scripts/bench-redis.sh  # extra flags for kvs serve
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
KEYS=${KEYS:-1000000}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-set,get,lpush,rpush,lpop,rpop,sadd,hset,spop,lrange_100,lrange_600}
MEMORY=${MEMORY:-strings,hashes,list,intset,strset}
# Divides the memory data sets' sizes (SCALE=10: 10k hashes, 100k elements).
SCALE=${SCALE:-1}
BIGSET=${BIGSET:-$((5000000 / SCALE))}
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

# gen SET SCALE: the RESP commands that load data set SET, on stdout.
gen() {
    python3 - "$1" "$2" <<'PY'
import sys
name, scale = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def cmd(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    out.write(b"".join(parts))
def batches(n, per, make):
    for start in range(0, n, per):
        yield [make(i) for i in range(start, min(n, start + per))]
if name == "hashes":
    for i in range(100_000 // scale):
        args = ["HSET", "hash:%d" % i]
        for f in range(10):
            args += ["field:%d" % f, "v%09d" % (i * 10 + f)]
        cmd(*args)
elif name == "list":
    for b in batches(1_000_000 // scale, 1000, lambda i: "e%09d" % i):
        cmd("RPUSH", "list", *b)
elif name == "intset":
    for b in batches(1_000_000 // scale, 1000, lambda i: str(i * 7)):
        cmd("SADD", "set", *b)
elif name == "strset":
    for b in batches(1_000_000 // scale, 1000, lambda i: "member:%09d" % i):
        cmd("SADD", "set", *b)
elif name.startswith("bigset:"):
    for b in batches(int(name.split(":")[1]), 1000, lambda i: str(i)):
        cmd("SADD", "bigset", *b)
PY
}

# elements SET SCALE: what the memory figure is divided by.
elements() {
    case $1 in
        hashes) echo $((100000 / $2)) ;;
        *) echo $((1000000 / $2)) ;;
    esac
}

declare -A RPS P50 P99 MEM UNIT PING
IFS=, read -r -a TEST_LIST <<<"$TESTS"
IFS=, read -r -a MEM_LIST <<<"$MEMORY"
for server in kvs redis; do
    for set in "${MEM_LIST[@]}"; do
        start "$server"
        before=$(rss_kb "$PID")
        if [ "$set" = strings ]; then
            redis-benchmark -h 127.0.0.1 -p "$PORT" -t set -r "$KEYS" -n $((2 * KEYS)) -c "$CLIENTS" -P 16 -q >/dev/null 2>&1
            count=$(redis-cli -p "$PORT" DBSIZE)
            UNIT[$set]="key"
        else
            gen "$set" "$SCALE" | redis-cli -p "$PORT" --pipe >/dev/null
            count=$(elements "$set" "$SCALE")
            if [ "$set" = hashes ]; then UNIT[$set]="hash"; else UNIT[$set]="element"; fi
        fi
        after=$(rss_kb "$PID")
        MEM[$server,$set]=$(awk -v a="$after" -v b="$before" -v k="$count" 'BEGIN { printf "%.1f", (a - b) * 1024 / k }')
        echo "$server $set: $count ${UNIT[$set]}s, RSS ${before} kB -> ${after} kB: ${MEM[$server,$set]} bytes each" >&2
        stop "$PID"
    done
    for p in 1 16; do
        start "$server"
        csv=$(redis-benchmark -h 127.0.0.1 -p "$PORT" -t "$TESTS" -n "$N" -c "$CLIENTS" -P "$p" --csv 2>/dev/null)
        echo "$server -P $p:" >&2
        echo "$csv" >&2
        for t in "${TEST_LIST[@]}"; do
            name=$(echo "$t" | tr '[:lower:]' '[:upper:]')
            line=$(echo "$csv" | grep "^\"$name[\" ]" | tail -1 || true)
            RPS[$server,$t,$p]=$(echo "$line" | cut -d, -f2 | tr -d '"')
            P50[$server,$t,$p]=$(echo "$line" | cut -d, -f5 | tr -d '"')
            P99[$server,$t,$p]=$(echo "$line" | cut -d, -f7 | tr -d '"')
        done
        stop "$PID"
    done
    if [ "$BIGSET" -gt 0 ]; then
        start "$server"
        gen "bigset:$BIGSET" 1 | redis-cli -p "$PORT" --pipe >/dev/null
        # Another client PINGs for 3 s; the delete happens 1 s in.
        (sleep 1; redis-cli -p "$PORT" DEL bigset >/dev/null) &
        deleter=$!
        # --latency-history prints min,max,avg,samples per interval.
        lat=$(timeout 3.5 redis-cli -p "$PORT" --latency-history -i 3 2>/dev/null || true)
        wait "$deleter"
        PING[$server]=$(echo "$lat" | tr '\r' '\n' | grep -o 'min: .*' | head -1)
        echo "$server PING latency during DEL of $BIGSET members: ${PING[$server]}" >&2
        stop "$PID"
    fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

echo
echo "redis-benchmark -n $N -c $CLIENTS, $(redis-server --version | awk '{print $1, $2, $3}'), kvs $(target/release/kvs --version | awk '{print $2}'), $(nproc) CPUs"
echo
echo "| test | kvs req/s | redis req/s | kvs/redis | kvs p50 ms | redis p50 ms | kvs p99 ms | redis p99 ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for p in 1 16; do
    for t in "${TEST_LIST[@]}"; do
        echo "| $t -P $p | ${RPS[kvs,$t,$p]} | ${RPS[redis,$t,$p]} | $(ratio "${RPS[kvs,$t,$p]}" "${RPS[redis,$t,$p]}") | ${P50[kvs,$t,$p]} | ${P50[redis,$t,$p]} | ${P99[kvs,$t,$p]} | ${P99[redis,$t,$p]} |"
    done
done
echo
echo "| memory (SCALE=$SCALE) | kvs | redis | kvs/redis |"
echo "|---|---:|---:|---:|"
for set in "${MEM_LIST[@]}"; do
    echo "| $set: RSS bytes per ${UNIT[$set]} | ${MEM[kvs,$set]} | ${MEM[redis,$set]} | $(ratio "${MEM[kvs,$set]}" "${MEM[redis,$set]}") |"
done
if [ "$BIGSET" -gt 0 ]; then
    echo
    echo "| another client's PING while a $BIGSET-member set is deleted (redis-cli --latency-history, ms) | |"
    echo "|---|---|"
    echo "| kvs | ${PING[kvs]} |"
    echo "| redis | ${PING[redis]} |"
fi
