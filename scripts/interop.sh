#!/usr/bin/env bash
# Interop check of `kvs serve` against tools no one here wrote: Debian's
# redis-cli, redis-benchmark and nutcracker (twemproxy). Installs them,
# builds the release binary, starts kvs servers on 127.0.0.1, asserts on
# the output, and stops everything it started. Exits non-zero on any
# failed assertion; the last line is "interop: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."

PASS=0
FAIL=0
PIDS=()
WORK=$(mktemp -d)

cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '     %s\n' "$2"; }

# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" == "$3" ]; then ok "$1"; else bad "$1" "expected [$2], got [$3]"; fi
}

# contains NAME NEEDLE HAYSTACK
contains() {
    if [[ "$3" == *"$2"* ]]; then ok "$1"; else bad "$1" "[$2] not in [$3]"; fi
}

need_tools() {
    command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null && command -v nutcracker >/dev/null
}
if ! need_tools; then
    echo "installing redis-tools and nutcracker"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq redis-tools nutcracker >/dev/null
fi
if ! need_tools; then
    echo "interop: cannot install redis-tools/nutcracker"
    echo "interop: 0 passed, 1 failed"
    exit 1
fi

echo "building the release binary"
cargo build --release -q -p kvs-cli || { echo "interop: 0 passed, 1 failed"; exit 1; }
KVS=target/release/kvs

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_kvs PORT [ARGS...]: starts a server, waits (bounded) until it answers.
start_kvs() {
    local port=$1
    shift
    mkdir -p "$WORK/$port"
    "$KVS" serve --bind 127.0.0.1 --port "$port" --dir "$WORK/$port" --save "" --loglevel warn "$@" \
        >"$WORK/$port.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        # NOAUTH also proves it is up (a server started with --requirepass).
        if redis-cli -p "$port" PING 2>/dev/null | grep -qE "PONG|NOAUTH"; then return 0; fi
        sleep 0.05
    done
    echo "kvs on port $port did not start:"
    cat "$WORK/$port.log"
    return 1
}

P1=$(free_port)
P2=$(free_port)
P3=$(free_port)
start_kvs "$P1" || { echo "interop: $PASS passed, $((FAIL + 1)) failed"; exit 1; }
start_kvs "$P2" || { echo "interop: $PASS passed, $((FAIL + 1)) failed"; exit 1; }

cli() { redis-cli -p "$P1" "$@" 2>&1; }

echo "--- redis-cli against kvs (port $P1)"
check "PING" "PONG" "$(cli PING)"
check "SET" "OK" "$(cli SET greeting hello)"
check "GET" "hello" "$(cli GET greeting)"
check "GET missing is nil (empty line)" "" "$(cli GET nope)"
check "INCR" "1" "$(cli INCR counter)"
check "INCRBY" "11" "$(cli INCRBY counter 10)"
check "INCRBYFLOAT" "12.5" "$(cli INCRBYFLOAT counter 1.5)"
check "MSET" "OK" "$(cli MSET a 1 b 2)"
check "MGET" "$(printf '1\n\n2')" "$(cli MGET a nope b)"
check "SET EX + TTL" "100" "$(cli SET t v EX 100 >/dev/null; cli TTL t)"
check "PTTL of missing" "-2" "$(cli PTTL missing)"
check "TTL without expiry" "-1" "$(cli TTL greeting)"
check "EXPIRE 0 deletes" "0" "$(cli EXPIRE greeting 0 >/dev/null; cli EXISTS greeting)"
check "SET KEEPTTL keeps it" "100" "$(cli SET t w KEEPTTL >/dev/null; cli TTL t)"
check "APPEND" "5" "$(cli APPEND s hello)"
check "GETRANGE" "ell" "$(cli GETRANGE s 1 3)"
check "RENAME" "OK" "$(cli RENAME s s2)"
check "TYPE" "string" "$(cli TYPE s2)"
check "KEYS pattern" "s2" "$(cli KEYS 's*')"
check "SCAN finds all" "5" "$(cli --scan | wc -l | tr -d ' ')"
check "DBSIZE" "5" "$(cli DBSIZE)"
check "SELECT + DBSIZE" "0" "$(cli -n 3 DBSIZE)"
check "binary-safe value" "$(printf 'a\tb')" "$(printf 'a\tb' | cli -x SET bin >/dev/null; cli GET bin)"
check "wrong arity text" "ERR wrong number of arguments for 'get' command" "$(cli GET | head -1)"
check "not an integer text" "ERR value is not an integer or out of range" "$(cli INCR s2 | head -1)"
check "syntax error text" "ERR syntax error" "$(cli SET k v NX XX | head -1)"
check "invalid expire text" "ERR invalid expire time in 'set' command" "$(cli SET k v EX 0 | head -1)"
check "unknown command text" "ERR unknown command 'foo', with args beginning with: 'a' " "$(cli foo a | head -1)"
check "DB out of range" "ERR DB index is out of range" "$(cli SELECT 99 | head -1)"
contains "INFO keyspace" "db0:keys=" "$(cli INFO keyspace)"
contains "INFO stats" "total_commands_processed:" "$(cli INFO stats)"
contains "CONFIG GET save" "save" "$(cli CONFIG GET save)"
contains "HELLO 3 via redis-cli -3" "proto" "$(redis-cli -3 -p "$P1" HELLO 3 2>&1)"
check "RESP3 GET" "hello3" "$(cli SET r3 hello3 >/dev/null; redis-cli -3 -p "$P1" GET r3 2>&1)"
contains "CLIENT LIST" "addr=127.0.0.1:" "$(cli CLIENT LIST)"
check "COMMAND COUNT is a number" "yes" "$([[ $(cli COMMAND COUNT) =~ ^[0-9]+$ ]] && echo yes || echo no)"
check "inline command over a raw socket" "+PONG" "$(python3 - "$P1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"PING\r\n")
print(s.recv(100).decode().strip())
PY
)"
check "malformed RESP gets a protocol error" "-ERR Protocol error: invalid multibulk length" "$(python3 - "$P1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"*x\r\n")
print(s.recv(200).decode().strip())
PY
)"
check "server alive after malformed input" "PONG" "$(cli PING)"

echo "--- requirepass (port $P3)"
start_kvs "$P3" --requirepass s3cret || bad "kvs with --requirepass starts"
check "NOAUTH before AUTH" "NOAUTH Authentication required." "$(redis-cli -p "$P3" GET k 2>&1 | head -1)"
check "AUTH with -a" "PONG" "$(redis-cli -p "$P3" -a s3cret --no-auth-warning PING 2>&1)"

echo "--- redis-benchmark -t set,get,incr,mset -P 16 -n 100000 -q"
BENCH=$(redis-benchmark -h 127.0.0.1 -p "$P1" -t set,get,incr,mset -P 16 -n 100000 -q 2>&1 | tr '\r' '\n')
echo "$BENCH" | grep "requests per second" | sed 's/^/     /'
for t in "SET" "GET" "INCR" "MSET (10 keys)"; do
    if echo "$BENCH" | grep -q "^$t: [0-9.]* requests per second"; then ok "redis-benchmark $t"; else bad "redis-benchmark $t" "$BENCH"; fi
done
if echo "$BENCH" | grep -qi "error"; then bad "redis-benchmark reported no errors" "$(echo "$BENCH" | grep -i error | head -3)"; else ok "redis-benchmark reported no errors"; fi
check "server alive after the benchmark" "PONG" "$(cli PING)"

echo "--- real-client patterns: a job queue, a session hash, a tag index"
cli FLUSHALL >/dev/null
# Two workers take jobs with BRPOP until the queue stays empty for 1 s.
worker() {
    while job=$(redis-cli -p "$P1" --raw BRPOP jobs 1 2>&1 | sed -n 2p) && [ -n "$job" ]; do
        echo "$job" >>"$WORK/done.$1"
    done
}
worker 1 &
W1=$!
worker 2 &
W2=$!
for i in $(seq 1 200); do echo "LPUSH jobs job-$i"; done | redis-cli -p "$P1" >/dev/null
wait "$W1" "$W2"
check "job queue: every job done once by two BRPOP workers" "200" "$(cat "$WORK"/done.* | sort -u | wc -l | tr -d ' ')"
check "job queue: no job done twice" "200" "$(cat "$WORK"/done.* | wc -l | tr -d ' ')"
check "job queue: both workers took jobs" "yes" "$([ -s "$WORK/done.1" ] && [ -s "$WORK/done.2" ] && echo yes || echo no)"
check "job queue: empty after" "0" "$(cli LLEN jobs)"
check "session: HSET" "3" "$(cli HSET session:42 user ada role admin theme dark)"
check "session: HGETALL" "$(printf 'role\nadmin\ntheme\ndark\nuser\nada')" "$(cli HGETALL session:42 | paste - - | sort | tr '\t' '\n')"
check "session: EXPIRE + TTL" "1800" "$(cli EXPIRE session:42 1800 >/dev/null; cli TTL session:42)"
check "session: HSET keeps the TTL" "1800" "$(cli HSET session:42 theme light >/dev/null; cli TTL session:42)"
check "session: HGET" "light" "$(cli HGET session:42 theme)"
check "session: TYPE" "hash" "$(cli TYPE session:42)"
cli SADD tag:rust post:1 post:2 post:3 >/dev/null
cli SADD tag:db post:2 post:3 post:4 >/dev/null
check "tag index: SINTER" "$(printf 'post:2\npost:3')" "$(cli SINTER tag:rust tag:db | sort)"
check "tag index: SUNION count" "4" "$(cli SUNION tag:rust tag:db | wc -l | tr -d ' ')"
check "tag index: SINTERSTORE" "2" "$(cli SINTERSTORE tag:both tag:rust tag:db)"
check "tag index: SISMEMBER" "1" "$(cli SISMEMBER tag:both post:3)"
check "WRONGTYPE text" "WRONGTYPE Operation against a key holding the wrong kind of value" "$(cli LPUSH tag:rust x | head -1)"

echo "--- redis-benchmark's default tests, less the sorted-set ones (-n 2000)"
DEFAULT_TESTS=ping_inline,ping_mbulk,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,lrange_100,lrange_300,lrange_500,lrange_600,mset
BENCH=$(redis-benchmark -h 127.0.0.1 -p "$P1" -t "$DEFAULT_TESTS" -n 2000 -q 2>&1 | tr '\r' '\n')
RAN=$(echo "$BENCH" | grep -c "requests per second" || true)
check "redis-benchmark ran all 18 default tests (zadd, zpopmin left out)" "18" "$RAN"
if echo "$BENCH" | grep -qi "error"; then bad "redis-benchmark default tests: no errors" "$(echo "$BENCH" | grep -i error | head -3)"; else ok "redis-benchmark default tests: no errors"; fi

echo "--- nutcracker (twemproxy) in front of two kvs servers ($P1, $P2)"
cli FLUSHALL >/dev/null
PX=$(free_port)
cat >"$WORK/nutcracker.yml" <<YML
kvs:
  listen: 127.0.0.1:$PX
  hash: fnv1a_64
  distribution: ketama
  redis: true
  auto_eject_hosts: false
  server_connections: 1
  servers:
   - 127.0.0.1:$P1:1 kvs1
   - 127.0.0.1:$P2:1 kvs2
YML
if nutcracker -t -c "$WORK/nutcracker.yml" >/dev/null 2>&1; then ok "nutcracker config valid"; else bad "nutcracker config valid"; fi
nutcracker -c "$WORK/nutcracker.yml" -s "$(free_port)" -a 127.0.0.1 -o "$WORK/nutcracker.log" &
PIDS+=($!)
for _ in $(seq 1 100); do
    redis-cli -p "$PX" SET probe 1 2>/dev/null | grep -q OK && break
    sleep 0.05
done
px() { redis-cli -p "$PX" "$@" 2>&1; }
check "proxy SET" "OK" "$(px SET user:1 ada)"
check "proxy GET" "ada" "$(px GET user:1)"
for i in $(seq 1 40); do px SET "key:$i" "value-$i" >/dev/null; done
check "proxy GET after many SETs" "value-17" "$(px GET key:17)"
check "proxy MGET across servers" "$(printf 'value-1\nvalue-2\n\nvalue-40')" "$(px MGET key:1 key:2 nope key:40)"
N1=$(redis-cli -p "$P1" DBSIZE)
N2=$(redis-cli -p "$P2" DBSIZE)
check "keys spread over both servers" "yes" "$([ "$N1" -gt 0 ] && [ "$N2" -gt 0 ] && echo yes || echo "no ($N1/$N2)")"
check "every key landed once" "42" "$((N1 + N2))"
check "proxy DEL across servers" "3" "$(px DEL key:1 key:2 key:40)"
check "proxy GET after DEL" "" "$(px GET key:2)"
check "proxy MSET" "OK" "$(px MSET m:1 a m:2 b m:3 c)"
check "proxy MGET after MSET" "$(printf 'a\nb\nc')" "$(px MGET m:1 m:2 m:3)"
check "proxy INCR" "1" "$(px INCR hits)"
check "proxy EXPIRE/TTL" "60" "$(px EXPIRE hits 60 >/dev/null; px TTL hits)"

echo "interop: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
