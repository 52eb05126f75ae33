//! Running one command on both servers and judging the two replies, and
//! the table of differences already known.

use std::collections::BTreeSet;
use std::io;

use crate::harness::gen::{Cmd, Cmp};
use crate::harness::resp::{quote, Conn, Reply};

/// A difference between kvs and Redis 7.0 that is known and reported, so
/// the default run stays green. Each entry says why; remove it once fixed
/// (the test then checks the case like any other).
pub struct Known {
    /// A short name for the report.
    pub id: &'static str,
    /// One line: what differs and why it is tolerated for now.
    pub reason: &'static str,
    /// Whether this entry explains a difference: the command's arguments
    /// (`args[0]` upper-cased), Redis's reply, kvs's reply.
    pub matches: fn(args: &[Vec<u8>], redis: &Reply, kvs: &Reply) -> bool,
}

/// The name, upper-cased.
pub fn name(args: &[Vec<u8>]) -> String {
    String::from_utf8_lossy(&args[0]).to_ascii_uppercase()
}

fn err_is(r: &Reply, text: &str) -> bool {
    matches!(r, Reply::Error(e) if e == text.as_bytes())
}

fn err_starts(r: &Reply, text: &str) -> bool {
    matches!(r, Reply::Error(e) if e.starts_with(text.as_bytes()))
}

fn is_word(a: &[u8], w: &str) -> bool {
    a.eq_ignore_ascii_case(w.as_bytes())
}

fn has_word(args: &[Vec<u8>], w: &str) -> bool {
    args[1..].iter().any(|a| is_word(a, w))
}

fn int_arg(a: &[u8]) -> Option<i64> {
    std::str::from_utf8(a).ok()?.parse().ok()
}

/// Whether a command names an expiry past what kvs's clock holds (u64
/// nanoseconds since 1970: the year 2554); 1.5e13 ms leaves room for "now"
/// being added to a relative one.
fn far_future_expiry(args: &[Vec<u8>]) -> bool {
    let ms_cmd = matches!(name(args).as_str(), "PSETEX" | "PEXPIRE" | "PEXPIREAT");
    (1..args.len()).any(|i| {
        let ms = ms_cmd || is_word(&args[i - 1], "PX") || is_word(&args[i - 1], "PXAT");
        int_arg(&args[i]).is_some_and(|n| {
            let millis = if ms { n as i128 } else { n as i128 * 1000 };
            millis >= 15_000_000_000_000
        })
    })
}

/// Whether SET/GETEX name the same expiry option twice.
fn repeated_expiry_option(args: &[Vec<u8>]) -> bool {
    ["EX", "PX", "EXAT", "PXAT"]
        .iter()
        .any(|o| args[2..].iter().filter(|a| is_word(a, o)).count() >= 2)
}

/// The differences known today (see each reason). The comparison consults
/// this table; a match is counted and reported, then both servers are
/// flushed so the rest of the round starts from equal states again.
/// Remove an entry once kvs is fixed.
pub const KNOWN_DIFFERENCES: &[Known] = &[
    Known {
        id: "getex-type-before-expiry",
        reason: "GETEX on a key of another type with a bad expiry: Redis reports WRONGTYPE \
                 first, kvs checks the expiry while parsing",
        matches: |args, redis, kvs| {
            name(args) == "GETEX" && err_starts(redis, "WRONGTYPE") && kvs.is_error()
        },
    },
    Known {
        id: "float-strtold",
        reason: "INCRBYFLOAT/HINCRBYFLOAT: Redis reads numbers with strtold (hex floats such as \
                 0x10, 'inf') and adds in 80-bit long double; kvs reads and adds f64",
        matches: |args, _redis, kvs| {
            matches!(name(args).as_str(), "INCRBYFLOAT" | "HINCRBYFLOAT")
                && (kvs.is_error() || matches!(kvs, Reply::Bulk(_)))
        },
    },
    Known {
        id: "object-idletime-not-tracked",
        reason: "OBJECT IDLETIME: kvs does not track access times and refuses the subcommand",
        matches: |args, _redis, kvs| {
            name(args) == "OBJECT"
                && args.get(1).is_some_and(|a| is_word(a, "IDLETIME"))
                && err_starts(kvs, "ERR OBJECT IDLETIME is not supported")
        },
    },
    Known {
        id: "object-encoding-of-strings",
        reason: "OBJECT ENCODING/REFCOUNT of a string: kvs derives int/embstr/raw from the \
                 bytes and how the value was written, and does not follow every path Redis \
                 takes (a value INCRBYFLOAT or APPEND wrote, then copied or moved)",
        matches: |args, redis, kvs| {
            let string_enc = |r: &Reply| {
                ["int", "embstr", "raw"]
                    .iter()
                    .any(|e| *r == Reply::Bulk(e.as_bytes().to_vec()))
            };
            name(args) == "OBJECT"
                && ((string_enc(redis) && string_enc(kvs))
                    || (*redis == Reply::Int(1) && *kvs == Reply::Int(2147483647)))
        },
    },
    Known {
        id: "expire-far-future",
        reason: "kvs keeps deadlines as u64 ns since 1970 and refuses expiries past ~2554 \
                 with 'invalid expire time'; Redis takes any that fit in i64 ms",
        matches: |args, redis, kvs| {
            err_starts(kvs, "ERR invalid expire time")
                && !redis.is_error()
                && far_future_expiry(args)
        },
    },
    Known {
        id: "expire-option-repeated",
        reason: "SET/GETEX with the same expiry option twice (EX 1 EX 2): Redis lets the last \
                 win, kvs replies 'syntax error' (or checks the first one's number)",
        matches: |args, redis, kvs| {
            matches!(name(args).as_str(), "SET" | "GETEX")
                && kvs.is_error()
                && !err_is(redis, "ERR syntax error")
                && repeated_expiry_option(args)
        },
    },
    Known {
        id: "expire-number-checked-early",
        reason: "SET/GETEX: Redis checks the expiry's number after all options parse (a syntax \
                 error wins) and GETEX only on an existing string; kvs checks it while parsing",
        matches: |args, redis, kvs| {
            matches!(name(args).as_str(), "SET" | "GETEX")
                && (err_is(kvs, "ERR value is not an integer or out of range")
                    || err_starts(kvs, "ERR invalid expire time"))
                && (redis.is_nil() || err_is(redis, "ERR syntax error"))
        },
    },
    Known {
        id: "expire-xx-lt-without-ttl",
        reason: "EXPIRE-family XX with LT on a key without a TTL: Redis replies 0 (XX needs a \
                 TTL), kvs applies it (LT treats no TTL as infinite and wins over XX)",
        matches: |args, redis, kvs| {
            name(args).contains("EXPIRE")
                && has_word(args, "XX")
                && has_word(args, "LT")
                && *redis == Reply::Int(0)
                && *kvs == Reply::Int(1)
        },
    },
    Known {
        id: "db-index-outside-i32",
        reason: "SELECT/MOVE/COPY DB with an index outside i32: Redis 'value is out of range, \
                 value must between ...', kvs 'DB index is out of range'",
        matches: |_, redis, kvs| {
            err_is(
                redis,
                "ERR value is out of range, value must between -2147483648 and 2147483647",
            ) && err_is(kvs, "ERR DB index is out of range")
        },
    },
    Known {
        id: "copy-options-in-order",
        reason: "COPY: Redis acts on each option as it reads it (an out-of-range DB fails at \
                 once, before a later syntax error or a later DB); kvs parses them all first",
        matches: |args, redis, kvs| {
            name(args) == "COPY"
                && (err_is(redis, "ERR DB index is out of range")
                    || err_starts(redis, "ERR value is out of range, value must between"))
                && kvs != redis
        },
    },
    Known {
        id: "scan-cursor-strtoul",
        reason: "SCAN: Redis reads the cursor with strtoul, which takes '' as 0 and '-1' as \
                 2^64-1; kvs replies 'invalid cursor'",
        matches: |args, _, kvs| {
            let lenient = |c: &[u8]| {
                c.is_empty()
                    || c.len() > 1
                        && matches!(c[0], b'-' | b'+')
                        && c[1..].iter().all(u8::is_ascii_digit)
            };
            name(args) == "SCAN"
                && err_is(kvs, "ERR invalid cursor")
                && args.get(1).is_some_and(|c| lenient(c))
        },
    },
    Known {
        id: "arity-checked-after-arguments",
        reason: "a command with too many arguments whose first is bad (SELECT '' 1): Redis \
                 checks the arity first ('wrong number of arguments'), kvs the argument first",
        matches: |_, redis, kvs| {
            err_starts(redis, "ERR wrong number of arguments for")
                && kvs.is_error()
                && !err_starts(kvs, "ERR wrong number of arguments for")
        },
    },
    Known {
        id: "incrbyfloat-long-double",
        reason: "INCRBYFLOAT: Redis adds in x87 long double and prints %.17Lg (-0.46, past \
                 f64's range, 1e308 as 9999...); kvs adds in f64 (-0.45999999999999996, inf)",
        matches: |args, redis, kvs| {
            name(args) == "INCRBYFLOAT"
                && matches!(redis, Reply::Bulk(_))
                && (matches!(kvs, Reply::Bulk(_))
                    || err_is(kvs, "ERR increment would produce NaN or Infinity"))
        },
    },
    Known {
        id: "incrbyfloat-strtold-syntax",
        reason: "INCRBYFLOAT: Redis parses with strtold, which takes hex ('0x10') and 'inf', \
                 and refuses what overflows ('1e400'); kvs the other way round",
        matches: |args, redis, kvs| {
            const BAD: &str = "ERR value is not a valid float";
            const INF: &str = "ERR increment would produce NaN or Infinity";
            name(args) == "INCRBYFLOAT"
                && (err_is(kvs, BAD) && (matches!(redis, Reply::Bulk(_)) || err_is(redis, INF))
                    || err_is(redis, BAD) && err_is(kvs, INF))
        },
    },
];

/// What the comparison of one command concluded.
pub enum Verdict {
    Same,
    Known(&'static Known),
    Differ(String),
}

/// Both replies and the verdict. For SCAN the replies shown are the unions
/// of the whole cursor loops.
pub struct Outcome {
    pub redis: Reply,
    pub kvs: Reply,
    pub verdict: Verdict,
}

/// The connection to each server.
pub struct Pair {
    pub redis: Conn,
    pub kvs: Conn,
}

fn exact(r: &Reply, k: &Reply) -> Option<String> {
    (r != k).then(|| "replies differ".to_string())
}

fn sorted(mut v: Vec<Reply>) -> Vec<Reply> {
    v.sort();
    v
}

fn pairs(v: Vec<Reply>) -> Option<Vec<(Reply, Reply)>> {
    if v.len() % 2 != 0 {
        return None;
    }
    let mut out: Vec<_> = v.chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect();
    out.sort();
    Some(out)
}

/// The argument index of a scan command's cursor.
fn cursor_at(args: &[Vec<u8>]) -> usize {
    if name(args) == "SCAN" {
        1
    } else {
        2
    }
}

/// Runs a whole cursor loop starting with `first` (the reply to `args`),
/// returning the union of what it returned (pairs for HSCAN/ZSCAN).
fn scan_union(
    conn: &mut Conn,
    args: &[Vec<u8>],
    first: Reply,
) -> io::Result<Result<BTreeSet<Vec<Reply>>, String>> {
    let by = if matches!(name(args).as_str(), "HSCAN" | "ZSCAN") {
        2
    } else {
        1
    };
    let at = cursor_at(args);
    let mut args = args.to_vec();
    let mut reply = first;
    let mut union = BTreeSet::new();
    for _ in 0..100_000 {
        let Reply::Array(page) = &reply else {
            return Ok(Err(format!("scan reply is not an array: {reply}")));
        };
        let [Reply::Bulk(cursor), items] = &page[..] else {
            return Ok(Err(format!("scan reply is not [cursor, items]: {reply}")));
        };
        let Some(items) = items.items() else {
            return Ok(Err(format!("scan items are not an aggregate: {reply}")));
        };
        if items.len() % by != 0 {
            return Ok(Err(format!("odd number of scan items: {reply}")));
        }
        for c in items.chunks(by) {
            union.insert(c.to_vec());
        }
        if cursor == b"0" {
            return Ok(Ok(union));
        }
        args[at] = cursor.clone();
        reply = conn.call(&args)?;
    }
    Ok(Err("scan did not end after 100000 calls".into()))
}

fn union_reply(u: &BTreeSet<Vec<Reply>>) -> Reply {
    Reply::Array(u.iter().flat_map(|c| c.iter().cloned()).collect())
}

/// Whether `conn`'s database holds `key`.
fn exists(conn: &mut Conn, key: &[u8]) -> io::Result<bool> {
    Ok(conn.call(&[b"EXISTS".to_vec(), key.to_vec()])? == Reply::Int(1))
}

impl Pair {
    pub fn connect(redis: std::net::SocketAddr, kvs: std::net::SocketAddr) -> io::Result<Pair> {
        Ok(Pair {
            redis: Conn::connect(redis)?,
            kvs: Conn::connect(kvs)?,
        })
    }

    /// Both servers empty, database 0, the protocol chosen.
    pub fn reset(&mut self, resp3: bool) -> io::Result<()> {
        for c in [&mut self.redis, &mut self.kvs] {
            let hello = c.call_str(&["HELLO", if resp3 { "3" } else { "2" }])?;
            if hello.is_error() {
                return Err(io::Error::other(format!("HELLO failed: {hello}")));
            }
            for words in [&["FLUSHALL"][..], &["SELECT", "0"]] {
                let r = c.call_str(words)?;
                if r != Reply::Simple(b"OK".to_vec()) {
                    return Err(io::Error::other(format!("{words:?} failed: {r}")));
                }
            }
        }
        Ok(())
    }

    /// Sends `cmd` to both servers and compares the replies as `cmd.cmp` says.
    pub fn run(&mut self, cmd: &Cmd) -> io::Result<Outcome> {
        let who = |server: &'static str| {
            move |e: io::Error| io::Error::new(e.kind(), format!("{server}: {e}"))
        };
        let mut redis = self.redis.call(&cmd.args).map_err(who("redis-server"))?;
        let mut kvs = self.kvs.call(&cmd.args).map_err(who("kvs"))?;
        let differ = if redis.is_error() || kvs.is_error() {
            exact(&redis, &kvs)
        } else {
            match &cmd.cmp {
                Cmp::Exact => exact(&redis, &kvs),
                Cmp::Unordered => match (redis.items(), kvs.items()) {
                    (Some(r), Some(k)) if redis.kind() == kvs.kind() => {
                        (sorted(r) != sorted(k)).then(|| "different elements".into())
                    }
                    _ => exact(&redis, &kvs),
                },
                Cmp::Pairs => match (redis.items().and_then(pairs), kvs.items().and_then(pairs)) {
                    (Some(r), Some(k)) if redis.kind() == kvs.kind() => {
                        (r != k).then(|| "different field/value pairs".into())
                    }
                    _ => exact(&redis, &kvs),
                },
                Cmp::Time(tol) => match (redis.as_int(), kvs.as_int()) {
                    (Some(r), Some(k)) if r >= 0 && k >= 0 => {
                        ((r - k).abs() > *tol).then(|| format!("times differ by more than {tol}"))
                    }
                    _ => exact(&redis, &kvs),
                },
                // From a cursor other than 0 the servers may return anything
                // well-formed: cursors are each server's own.
                Cmp::Scan
                    if cmd
                        .args
                        .get(cursor_at(&cmd.args))
                        .is_some_and(|c| c != b"0") =>
                {
                    let ok = |r: &Reply| {
                        matches!(r, Reply::Array(p) if p.len() == 2
                            && matches!(p[0], Reply::Bulk(_)) && p[1].items().is_some())
                    };
                    (!ok(&redis) || !ok(&kvs)).then(|| "malformed scan reply".into())
                }
                Cmp::Scan => {
                    let r = scan_union(&mut self.redis, &cmd.args, redis.clone())?;
                    let k = scan_union(&mut self.kvs, &cmd.args, kvs.clone())?;
                    match (r, k) {
                        (Ok(r), Ok(k)) => {
                            redis = union_reply(&r);
                            kvs = union_reply(&k);
                            (r != k).then(|| {
                                "the full cursor loops returned different elements (shown: the unions)"
                                    .into()
                            })
                        }
                        (Err(e), _) => Some(format!("redis: {e}")),
                        (_, Err(e)) => Some(format!("kvs: {e}")),
                    }
                }
                Cmp::RandomKey => match (&redis, &kvs) {
                    (Reply::Bulk(r), Reply::Bulk(k)) => {
                        let r = exists(&mut self.redis, r)?;
                        let k = exists(&mut self.kvs, k)?;
                        (!(r && k)).then(|| {
                            format!("the key returned does not exist (redis: {r}, kvs: {k})")
                        })
                    }
                    _ => exact(&redis, &kvs),
                },
                Cmp::Shape { .. } => {
                    let len = |r: &Reply| r.items().map(|v| v.len());
                    (redis.kind() != kvs.kind() || len(&redis) != len(&kvs))
                        .then(|| "random replies of different types or lengths".into())
                }
            }
        };
        let verdict = match differ {
            None => Verdict::Same,
            Some(why) => match KNOWN_DIFFERENCES
                .iter()
                .find(|k| (k.matches)(&cmd.args, &redis, &kvs))
            {
                Some(k) => Verdict::Known(k),
                None => Verdict::Differ(why),
            },
        };
        Ok(Outcome {
            redis,
            kvs,
            verdict,
        })
    }

    /// Compares the whole of databases 0..3 through fresh connections: the
    /// keys, each key's type, a string's value, whether it has a TTL. A
    /// difference here is state that diverged without a reply showing it.
    pub fn state_diff(
        redis: std::net::SocketAddr,
        kvs: std::net::SocketAddr,
    ) -> io::Result<Option<String>> {
        let mut r = Conn::connect(redis)?;
        let mut k = Conn::connect(kvs)?;
        for db in ["0", "1", "2"] {
            r.call_str(&["SELECT", db])?;
            k.call_str(&["SELECT", db])?;
            let keys = |c: &mut Conn| -> io::Result<Reply> {
                let v = c.call_str(&["KEYS", "*"])?;
                Ok(match v.items() {
                    Some(v) => Reply::Array(sorted(v)),
                    None => v,
                })
            };
            let (rk, kk) = (keys(&mut r)?, keys(&mut k)?);
            if rk != kk {
                return Ok(Some(format!(
                    "db {db}: KEYS * differ: redis {rk}, kvs {kk}"
                )));
            }
            for key in rk.items().unwrap_or_default() {
                let Reply::Bulk(key) = key else { continue };
                let mut probes = vec![vec![b"TYPE".to_vec(), key.clone()]];
                if r.call(&probes[0])? == Reply::Simple(b"string".to_vec()) {
                    probes.push(vec![b"GET".to_vec(), key.clone()]);
                }
                for p in &probes {
                    let (a, b) = (r.call(p)?, k.call(p)?);
                    if a != b {
                        return Ok(Some(format!(
                            "db {db}: key {}: {} differs: redis {a}, kvs {b}",
                            quote(&key),
                            name(p)
                        )));
                    }
                }
                let p = vec![b"PTTL".to_vec(), key.clone()];
                let (a, b) = (r.call(&p)?, k.call(&p)?);
                let ok = match (a.as_int(), b.as_int()) {
                    (Some(x), Some(y)) if x >= 0 && y >= 0 => (x - y).abs() <= 2000,
                    _ => a == b,
                };
                if !ok {
                    return Ok(Some(format!(
                        "db {db}: key {}: PTTL differs: redis {a}, kvs {b}",
                        quote(&key)
                    )));
                }
            }
        }
        Ok(None)
    }
}
