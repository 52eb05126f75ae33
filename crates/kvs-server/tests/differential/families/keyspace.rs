//! The keyspace commands: DEL, UNLINK, EXISTS, TYPE, RENAME, RENAMENX,
//! COPY, MOVE, TOUCH, EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT (NX/XX/GT/LT), TTL,
//! PTTL, EXPIRETIME, PEXPIRETIME, PERSIST, DBSIZE, FLUSHDB, SELECT, KEYS,
//! SCAN, RANDOMKEY.

use crate::cmd;
use crate::harness::gen::{Cmd, Cmp, Gen};

/// Tolerance for TTL-like replies in seconds / milliseconds: the servers'
/// clocks are read at slightly different moments.
const SECS: i64 = 2;
const MILLIS: i64 = 2000;

fn multi(g: &mut Gen, name: &str, max: usize) -> Cmd {
    let mut args = vec![name.as_bytes().to_vec()];
    args.extend(g.keys(max));
    Cmd::new(args)
}

fn expire(g: &mut Gen) -> Cmd {
    let (name, ms, abs) = *g.rng.pick(&[
        ("EXPIRE", false, false),
        ("PEXPIRE", true, false),
        ("EXPIREAT", false, true),
        ("PEXPIREAT", true, true),
    ]);
    let when = if abs { g.unix_time(ms) } else { g.ttl(ms) };
    let mut args = vec![name.as_bytes().to_vec(), g.key(), when];
    for _ in 0..g.below(3) {
        let opts: &[&[u8]] = &[b"NX", b"XX", b"GT", b"LT", b"nx", b"gt", b"foo"];
        args.push(g.rng.pick(opts).to_vec());
    }
    Cmd::new(args)
}

fn copy(g: &mut Gen) -> Cmd {
    let mut args = vec![b"COPY".to_vec(), g.key(), g.key()];
    for _ in 0..g.below(3) {
        match g.below(5) {
            0 | 1 => args.push(b"REPLACE".to_vec()),
            2 | 3 => {
                args.push(b"DB".to_vec());
                args.push(db(g));
            }
            _ => args.push(g.junk()),
        }
    }
    Cmd::new(args)
}

/// A database number: mostly the first few, sometimes out of range.
fn db(g: &mut Gen) -> Vec<u8> {
    let bad: &[&[u8]] = &[b"16", b"-1", b"abc", b"", b"100000000000"];
    if g.chance(85) {
        g.below(3).to_string().into_bytes()
    } else {
        g.rng.pick(bad).to_vec()
    }
}

fn scan(g: &mut Gen) -> Cmd {
    let cursor: Vec<u8> = if g.chance(90) {
        b"0".to_vec()
    } else {
        g.rng
            .pick(&[&b"abc"[..], b"-1", b"18446744073709551616"])
            .to_vec()
    };
    let mut args = vec![b"SCAN".to_vec(), cursor];
    for _ in 0..g.below(3) {
        match g.below(7) {
            0 | 1 => {
                args.push(b"MATCH".to_vec());
                args.push(g.pattern());
            }
            2 | 3 => {
                args.push(b"COUNT".to_vec());
                args.push(g.count());
            }
            4 | 5 => {
                let types: &[&[u8]] = &[
                    b"string", b"hash", b"list", b"set", b"zset", b"STRING", b"nosuch",
                ];
                args.push(b"TYPE".to_vec());
                args.push(g.rng.pick(types).to_vec());
            }
            _ => args.push(g.junk()),
        }
    }
    Cmd::new(args).with(Cmp::Scan)
}

/// Draws one keyspace command.
pub fn gen(g: &mut Gen) -> Cmd {
    match g.below(30) {
        0 | 1 => multi(g, "DEL", 3),
        2 => multi(g, "UNLINK", 3),
        3 | 4 => multi(g, "EXISTS", 4),
        5 => cmd!["TYPE", g.key()],
        6 | 7 => cmd!["RENAME", g.key(), g.key()],
        8 => cmd!["RENAMENX", g.key(), g.key()],
        9 => copy(g),
        10 => cmd!["MOVE", g.key(), db(g)],
        11 => multi(g, "TOUCH", 3),
        12..=14 => expire(g),
        15 => cmd!["TTL", g.key()].with(Cmp::Time(SECS)),
        16 => cmd!["PTTL", g.key()].with(Cmp::Time(MILLIS)),
        17 => cmd!["EXPIRETIME", g.key()].with(Cmp::Time(SECS)),
        18 => cmd!["PEXPIRETIME", g.key()].with(Cmp::Time(MILLIS)),
        19 => cmd!["PERSIST", g.key()],
        20 => cmd!["DBSIZE"],
        21 => {
            // Rare: it empties the database the other commands fill.
            if g.chance(20) {
                let opts: &[&[u8]] = &[b"ASYNC", b"SYNC", b"async", b"foo"];
                if g.chance(50) {
                    cmd!["FLUSHDB"]
                } else {
                    cmd!["FLUSHDB", g.rng.pick(opts)]
                }
            } else {
                cmd!["DBSIZE"]
            }
        }
        22 => {
            // Mostly back to database 0, where the other commands work.
            if g.chance(60) {
                cmd!["SELECT", "0"]
            } else {
                cmd!["SELECT", db(g)]
            }
        }
        23 | 24 => cmd!["KEYS", g.pattern()].with(Cmp::Unordered),
        25..=27 => scan(g),
        28 => cmd!["RANDOMKEY"].with(Cmp::RandomKey),
        _ => {
            // Wrong arity on purpose.
            let names: &[&str] = &[
                "DEL", "EXISTS", "TYPE", "RENAME", "EXPIRE", "TTL", "KEYS", "SCAN", "COPY",
                "SELECT",
            ];
            cmd![g.rng.pick(names)]
        }
    }
}
