//! The list commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP (with count),
//! LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS (RANK COUNT MAXLEN),
//! LMOVE RPOPLPUSH LMPOP, the blocking BLPOP BRPOP BLMOVE BLMPOP with a
//! 10 ms timeout (never 0: an empty key must time out, not block), and
//! OBJECT ENCODING.

use crate::cmd;
use crate::harness::gen::{Cmd, Gen};

fn push(g: &mut Gen, name: &str) -> Cmd {
    let mut args = vec![name.as_bytes().to_vec(), g.key()];
    for _ in 0..1 + g.below(4) {
        args.push(g.member());
    }
    Cmd::new(args)
}

fn side(g: &mut Gen) -> &'static str {
    const SIDES: &[&str] = &["LEFT", "RIGHT", "left", "MIDDLE"];
    SIDES[g.below(SIDES.len())]
}

/// A blocking timeout: short, or invalid. Never 0 (forever).
fn timeout(g: &mut Gen) -> Vec<u8> {
    let bad: &[&[u8]] = &[b"-1", b"abc", b"", b"inf"];
    if g.chance(90) {
        b"0.01".to_vec()
    } else {
        g.rng.pick(bad).to_vec()
    }
}

fn mpop(g: &mut Gen, blocking: bool) -> Cmd {
    let mut args = if blocking {
        vec![b"BLMPOP".to_vec(), timeout(g)]
    } else {
        vec![b"LMPOP".to_vec()]
    };
    let keys = g.keys(3);
    args.push(if g.chance(95) {
        keys.len().to_string().into_bytes()
    } else {
        g.int()
    });
    args.extend(keys);
    args.push(side(g).as_bytes().to_vec());
    if g.chance(50) {
        args.push(b"COUNT".to_vec());
        args.push(g.count());
    }
    Cmd::new(args)
}

/// Draws one list command.
pub fn gen(g: &mut Gen) -> Cmd {
    match g.below(30) {
        0..=2 => push(g, "LPUSH"),
        3..=5 => push(g, "RPUSH"),
        6 => push(g, "LPUSHX"),
        7 => push(g, "RPUSHX"),
        8 => {
            if g.chance(50) {
                cmd!["LPOP", g.key()]
            } else {
                cmd!["LPOP", g.key(), g.count()]
            }
        }
        9 => {
            if g.chance(50) {
                cmd!["RPOP", g.key()]
            } else {
                cmd!["RPOP", g.key(), g.count()]
            }
        }
        10 => cmd!["LLEN", g.key()],
        11 | 12 => cmd!["LRANGE", g.key(), g.index(), g.index()],
        13 => cmd!["LINDEX", g.key(), g.index()],
        14 => cmd!["LSET", g.key(), g.index(), g.member()],
        15 => {
            let w = *g.rng.pick(&["BEFORE", "AFTER", "after", "ON"]);
            cmd!["LINSERT", g.key(), w, g.member(), g.member()]
        }
        16 => cmd!["LREM", g.key(), g.index(), g.member()],
        17 => cmd!["LTRIM", g.key(), g.index(), g.index()],
        18 => {
            let mut args = vec![b"LPOS".to_vec(), g.key(), g.member()];
            for _ in 0..g.below(3) {
                let opt = *g.rng.pick(&["RANK", "COUNT", "MAXLEN", "FOO"]);
                args.push(opt.as_bytes().to_vec());
                args.push(g.index());
            }
            Cmd::new(args)
        }
        19 => cmd!["LMOVE", g.key(), g.key(), side(g), side(g)],
        20 => cmd!["RPOPLPUSH", g.key(), g.key()],
        21 => mpop(g, false),
        22 => {
            let mut args = vec![b"BLPOP".to_vec()];
            args.extend(g.keys(3));
            args.push(timeout(g));
            Cmd::new(args)
        }
        23 => {
            let mut args = vec![b"BRPOP".to_vec()];
            args.extend(g.keys(3));
            args.push(timeout(g));
            Cmd::new(args)
        }
        24 => cmd!["BLMOVE", g.key(), g.key(), side(g), side(g), timeout(g)],
        25 => mpop(g, true),
        26 => cmd!["BRPOPLPUSH", g.key(), g.key(), timeout(g)],
        27 => cmd!["OBJECT", "ENCODING", g.key()],
        _ => cmd![
            g.rng.pick(&["LPUSH", "LRANGE", "LPOS", "LMOVE", "BLPOP"]),
            g.key()
        ],
    }
}
