//! The list commands, the blocking ones included (their waiting is in
//! `blocking.rs`).

use bytes::Bytes;

use crate::cmd::table::flag::{BLOCKING, DENYOOM, FAST, MOVABLEKEYS, NOSCRIPT, READONLY, WRITE};
use crate::cmd::table::{cmd, Keys, Spec};

mod blmove;
mod blmpop;
mod blpop;
mod lindex;
mod linsert;
mod llen;
mod lmove;
mod lmpop;
mod lpos;
mod lrange;
mod lrem;
mod lset;
mod ltrim;
mod pop;
mod push;

/// Every argument but the last (the timeout) is a key.
const ALL_BUT_TIMEOUT: Keys = Keys::range(1, -2, 1);
const TWO: Keys = Keys::range(1, 2, 1);

/// The keys of `[B]LMPOP [timeout] numkeys key ...`: `numkeys` is at
/// `at`.
fn mpop_keys(args: &[Bytes], at: usize) -> Result<Vec<usize>, &'static str> {
    let n = args
        .get(at)
        .and_then(|n| crate::parse::parse_i64(n))
        .filter(|n| *n > 0)
        .ok_or("ERR numkeys should be greater than 0")?;
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if n > args.len() - at - 1 {
        return Err("ERR Number of keys can't be greater than number of args");
    }
    Ok((at + 1..=at + n).collect())
}

fn lmpop_keys(args: &[Bytes]) -> Result<Vec<usize>, &'static str> {
    mpop_keys(args, 1)
}

fn blmpop_keys(args: &[Bytes]) -> Result<Vec<usize>, &'static str> {
    mpop_keys(args, 2)
}

pub(crate) const COMMANDS: &[Spec] = &[
    cmd!(
        "lpush",
        -3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        push::Push::parse_lpush
    ),
    cmd!(
        "rpush",
        -3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        push::Push::parse_rpush
    ),
    cmd!(
        "lpushx",
        -3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        push::Push::parse_lpushx
    ),
    cmd!(
        "rpushx",
        -3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        push::Push::parse_rpushx
    ),
    cmd!("lpop", -2, WRITE | FAST, Keys::ONE, pop::Pop::parse_lpop),
    cmd!("rpop", -2, WRITE | FAST, Keys::ONE, pop::Pop::parse_rpop),
    cmd!(
        "llen",
        2,
        READONLY | FAST,
        Keys::ONE,
        llen::Llen::parse_frames
    ),
    cmd!(
        "lrange",
        4,
        READONLY,
        Keys::ONE,
        lrange::Lrange::parse_frames
    ),
    cmd!(
        "lindex",
        3,
        READONLY,
        Keys::ONE,
        lindex::Lindex::parse_frames
    ),
    cmd!(
        "lset",
        4,
        WRITE | DENYOOM,
        Keys::ONE,
        lset::Lset::parse_frames
    ),
    cmd!(
        "linsert",
        5,
        WRITE | DENYOOM,
        Keys::ONE,
        linsert::Linsert::parse_frames
    ),
    cmd!("lrem", 4, WRITE, Keys::ONE, lrem::Lrem::parse_frames),
    cmd!("ltrim", 4, WRITE, Keys::ONE, ltrim::Ltrim::parse_frames),
    cmd!("lpos", -3, READONLY, Keys::ONE, lpos::Lpos::parse_frames),
    cmd!("lmove", 5, WRITE | DENYOOM, TWO, lmove::Lmove::parse_lmove),
    cmd!(
        "rpoplpush",
        3,
        WRITE | DENYOOM,
        TWO,
        lmove::Lmove::parse_rpoplpush
    ),
    cmd!(
        "lmpop",
        -4,
        WRITE | MOVABLEKEYS,
        Keys::movable(lmpop_keys),
        lmpop::Lmpop::parse_frames
    ),
    cmd!(
        "blpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        ALL_BUT_TIMEOUT,
        blpop::Bpop::parse_blpop
    ),
    cmd!(
        "brpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        ALL_BUT_TIMEOUT,
        blpop::Bpop::parse_brpop
    ),
    cmd!(
        "blmove",
        6,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        TWO,
        blmove::Blmove::parse_blmove
    ),
    cmd!(
        "brpoplpush",
        4,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        TWO,
        blmove::Blmove::parse_brpoplpush
    ),
    cmd!(
        "blmpop",
        -5,
        WRITE | BLOCKING | MOVABLEKEYS,
        Keys::movable(blmpop_keys),
        blmpop::Blmpop::parse_frames
    ),
];

/// A blocking command's timeout in seconds (a float, 0 = for ever), with
/// Redis 7.0's error texts.
fn parse_timeout(arg: &[u8]) -> Result<Option<std::time::Duration>, crate::parse::ParseError> {
    use crate::parse::ParseError;
    let secs = crate::parse::parse_f64(arg)
        .ok_or_else(|| ParseError::Other("ERR timeout is not a float or out of range".into()))?;
    if secs == 0.0 {
        return Ok(None);
    }
    // Redis turns the seconds into milliseconds in a long long: an infinite
    // or huge timeout overflows to a negative one, and is refused as such.
    match std::time::Duration::try_from_secs_f64(secs) {
        Ok(d) if secs > 0.0 && secs * 1000.0 < i64::MAX as f64 => Ok(Some(d)),
        _ => Err(ParseError::Other("ERR timeout is negative".into())),
    }
}

/// Tells the clients blocked on `key` (in the client's database) that it
/// may have elements now.
fn signal(ctx: &crate::cmd::Ctx<'_>, key: &[u8]) {
    ctx.shared.blocking.signal(ctx.shared, ctx.session.db, key);
}
