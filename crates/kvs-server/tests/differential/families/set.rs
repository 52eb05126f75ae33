//! The set commands: SADD SREM SISMEMBER SMISMEMBER SMEMBERS SCARD SPOP
//! SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
//! SDIFFSTORE SSCAN, and OBJECT ENCODING.

use crate::cmd;
use crate::harness::gen::{Cmd, Cmp, Gen};

fn members(g: &mut Gen, name: &str) -> Cmd {
    let mut args = vec![name.as_bytes().to_vec(), g.key()];
    for _ in 0..1 + g.below(5) {
        args.push(g.member());
    }
    Cmd::new(args)
}

fn keys(g: &mut Gen, name: &str, store: bool) -> Cmd {
    let mut args = vec![name.as_bytes().to_vec()];
    if store {
        args.push(g.key());
    }
    args.extend(g.keys(3));
    let c = Cmd::new(args);
    if store {
        c
    } else {
        c.with(Cmp::Unordered)
    }
}

/// Draws one set command.
pub fn gen(g: &mut Gen) -> Cmd {
    match g.below(24) {
        0..=3 => members(g, "SADD"),
        4 => members(g, "SREM"),
        5 => cmd!["SISMEMBER", g.key(), g.member()],
        6 => members(g, "SMISMEMBER"),
        7 => cmd!["SMEMBERS", g.key()].with(Cmp::Unordered),
        8 => cmd!["SCARD", g.key()],
        9 | 10 => {
            let key = g.key();
            let resync = Some(key.clone());
            if g.chance(50) {
                cmd!["SPOP", key]
            } else {
                cmd!["SPOP", key, g.count()]
            }
            .with(Cmp::Shape { resync })
        }
        11 => {
            let key = g.key();
            if g.chance(30) {
                cmd!["SRANDMEMBER", key]
            } else {
                cmd!["SRANDMEMBER", key, g.count()]
            }
            .with(Cmp::Shape { resync: None })
        }
        12 => cmd!["SMOVE", g.key(), g.key(), g.member()],
        13 => keys(g, "SINTER", false),
        14 => {
            let ks = g.keys(3);
            let mut args = vec![b"SINTERCARD".to_vec()];
            args.push(if g.chance(95) {
                ks.len().to_string().into_bytes()
            } else {
                g.int()
            });
            args.extend(ks);
            if g.chance(40) {
                args.push(b"LIMIT".to_vec());
                args.push(g.count());
            }
            Cmd::new(args)
        }
        15 => keys(g, "SINTERSTORE", true),
        16 => keys(g, "SUNION", false),
        17 => keys(g, "SUNIONSTORE", true),
        18 => keys(g, "SDIFF", false),
        19 => keys(g, "SDIFFSTORE", true),
        20 => {
            let mut args = vec![b"SSCAN".to_vec(), g.key(), b"0".to_vec()];
            if g.chance(40) {
                args.push(b"MATCH".to_vec());
                args.push(if g.chance(50) {
                    b"m*".to_vec()
                } else {
                    g.pattern()
                });
            }
            if g.chance(40) {
                args.push(b"COUNT".to_vec());
                args.push(g.count());
            }
            Cmd::new(args).with(Cmp::Scan)
        }
        21 | 22 => cmd!["OBJECT", "ENCODING", g.key()],
        _ => cmd![
            g.rng
                .pick(&["SADD", "SREM", "SINTERCARD", "SMOVE", "SISMEMBER"]),
            g.key()
        ],
    }
}
