//! The hash commands: HSET HSETNX HGET HMGET HMSET HDEL HEXISTS HLEN
//! HSTRLEN HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, and
//! OBJECT ENCODING.

use crate::cmd;
use crate::harness::gen::{Cmd, Cmp, Gen};

fn field_values(g: &mut Gen, name: &str) -> Cmd {
    let mut args = vec![name.as_bytes().to_vec(), g.key()];
    for _ in 0..1 + g.below(4) {
        args.push(g.member());
        args.push(g.value());
    }
    if g.chance(5) {
        args.pop();
    }
    Cmd::new(args)
}

fn fields(g: &mut Gen, name: &str) -> Cmd {
    let mut args = vec![name.as_bytes().to_vec(), g.key()];
    for _ in 0..1 + g.below(4) {
        args.push(g.member());
    }
    Cmd::new(args)
}

/// Draws one hash command.
pub fn gen(g: &mut Gen) -> Cmd {
    match g.below(22) {
        0..=3 => field_values(g, "HSET"),
        4 => cmd!["HSETNX", g.key(), g.member(), g.value()],
        5 | 6 => cmd!["HGET", g.key(), g.member()],
        7 => fields(g, "HMGET"),
        8 => field_values(g, "HMSET"),
        9 => fields(g, "HDEL"),
        10 => cmd!["HEXISTS", g.key(), g.member()],
        11 => cmd!["HLEN", g.key()],
        12 => cmd!["HSTRLEN", g.key(), g.member()],
        13 => cmd!["HKEYS", g.key()].with(Cmp::Unordered),
        14 => cmd!["HVALS", g.key()].with(Cmp::Unordered),
        15 => cmd!["HGETALL", g.key()].with(Cmp::Pairs),
        16 => cmd!["HINCRBY", g.key(), g.member(), g.int()],
        17 => cmd!["HINCRBYFLOAT", g.key(), g.member(), g.float()],
        18 => {
            let key = g.key();
            let resync = Some(key.clone());
            match g.below(3) {
                0 => cmd!["HRANDFIELD", key],
                1 => cmd!["HRANDFIELD", key, g.count()],
                _ => cmd!["HRANDFIELD", key, g.count(), "WITHVALUES"],
            }
            .with(Cmp::Shape { resync })
        }
        19 => {
            let mut args = vec![b"HSCAN".to_vec(), g.key(), b"0".to_vec()];
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
        20 => cmd!["OBJECT", "ENCODING", g.key()],
        _ => cmd![
            g.rng.pick(&["HSET", "HGET", "HDEL", "HGETALL", "HINCRBY"]),
            g.key()
        ],
    }
}
