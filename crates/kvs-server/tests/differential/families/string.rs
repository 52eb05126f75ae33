//! The string commands: SET (every option), GET, GETSET, GETDEL, GETEX,
//! SETNX, SETEX, PSETEX, MSET, MSETNX, MGET, INCR, DECR, INCRBY, DECRBY,
//! INCRBYFLOAT, APPEND, STRLEN, GETRANGE, SETRANGE.

use crate::cmd;
use crate::harness::gen::{Cmd, Gen};

/// One of SET's expiry options with its argument (sometimes missing).
fn expiry(g: &mut Gen, args: &mut Vec<Vec<u8>>) {
    match g.below(6) {
        0 => {
            args.push(b"EX".to_vec());
            args.push(g.ttl(false));
        }
        1 => {
            args.push(b"PX".to_vec());
            args.push(g.ttl(true));
        }
        2 => {
            args.push(b"EXAT".to_vec());
            args.push(g.future_time(false));
        }
        3 => {
            args.push(b"PXAT".to_vec());
            args.push(g.future_time(true));
        }
        4 => args.push(b"KEEPTTL".to_vec()),
        _ => args.push(if g.chance(50) {
            b"ex".to_vec()
        } else {
            b"PX".to_vec()
        }),
    }
}

fn set(g: &mut Gen) -> Cmd {
    let mut args = vec![b"SET".to_vec(), g.key(), g.value()];
    for _ in 0..g.below(4) {
        match g.below(8) {
            0 | 1 => expiry(g, &mut args),
            2 => args.push(b"NX".to_vec()),
            3 => args.push(b"XX".to_vec()),
            4 | 5 => args.push(if g.chance(80) {
                b"GET".to_vec()
            } else {
                b"get".to_vec()
            }),
            6 => args.push(b"nx".to_vec()),
            _ => args.push(g.junk()),
        }
    }
    Cmd::new(args)
}

fn getex(g: &mut Gen) -> Cmd {
    let mut args = vec![b"GETEX".to_vec(), g.key()];
    match g.below(7) {
        0 => {}
        1 => args.push(b"PERSIST".to_vec()),
        2 => {
            expiry(g, &mut args);
            if g.chance(20) {
                args.push(b"PERSIST".to_vec());
            }
        }
        3 => {
            expiry(g, &mut args);
            expiry(g, &mut args);
        }
        4 => args.push(g.junk()),
        _ => expiry(g, &mut args),
    }
    Cmd::new(args)
}

fn pairs(g: &mut Gen, name: &str) -> Cmd {
    let mut args = vec![name.as_bytes().to_vec()];
    for _ in 0..1 + g.below(3) {
        args.push(g.key());
        args.push(g.value());
    }
    if g.chance(5) {
        args.pop();
    }
    Cmd::new(args)
}

/// Draws one string command.
pub fn gen(g: &mut Gen) -> Cmd {
    match g.below(26) {
        0..=3 => set(g),
        4 | 5 => cmd!["GET", g.key()],
        6 => cmd!["GETSET", g.key(), g.value()],
        7 => cmd!["GETDEL", g.key()],
        8 => getex(g),
        9 => cmd!["SETNX", g.key(), g.value()],
        10 => cmd!["SETEX", g.key(), g.ttl(false), g.value()],
        11 => cmd!["PSETEX", g.key(), g.ttl(true), g.value()],
        12 => pairs(g, "MSET"),
        13 => pairs(g, "MSETNX"),
        14 => {
            let mut args = vec![b"MGET".to_vec()];
            args.extend(g.keys(4));
            Cmd::new(args)
        }
        15 => cmd!["INCR", g.key()],
        16 => cmd!["DECR", g.key()],
        17 => cmd!["INCRBY", g.key(), g.int()],
        18 => cmd!["DECRBY", g.key(), g.int()],
        19 | 20 => cmd!["INCRBYFLOAT", g.key(), g.float()],
        21 => cmd!["APPEND", g.key(), g.value()],
        22 => cmd!["STRLEN", g.key()],
        23 => cmd!["GETRANGE", g.key(), g.index(), g.index()],
        24 => {
            let offset = match g.below(8) {
                0 => b"-1".to_vec(),
                1 => b"536870912".to_vec(),
                2 => b"536870911".to_vec(),
                3 => b"abc".to_vec(),
                _ => g.rng.range(0, 40).to_string().into_bytes(),
            };
            // A valid offset at the size limit with a non-empty value would
            // make both servers allocate 512 MB: keep that one empty.
            let value = if offset == b"536870911" {
                Vec::new()
            } else {
                g.value()
            };
            cmd!["SETRANGE", g.key(), offset, value]
        }
        _ => {
            // Lower-case and mixed-case names: names are case-insensitive.
            let names: &[&str] = &["get", "Set", "incr", "strlen", "getdel"];
            let name = *g.rng.pick(names);
            match name {
                "Set" => cmd![name, g.key(), g.value()],
                _ => cmd![name, g.key()],
            }
        }
    }
}
