//! The list commands, blocking ones included (the blocked-clients registry
//! is `blocking.rs`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::cmd::table::flag::{BLOCKING, DENYOOM, FAST, MOVABLEKEYS, NOSCRIPT, READONLY, WRITE};
use crate::cmd::table::{cmd, Keys, Spec};
use crate::cmd::Ctx;
use crate::parse::{parse_f64, parse_i64, ParseError};

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

/// Source and destination.
const TWO: Keys = Keys::range(1, 2, 1);

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
        Keys::range(1, -2, 1),
        blpop::Bpop::parse_blpop
    ),
    cmd!(
        "brpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        Keys::range(1, -2, 1),
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

/// Serves the clients blocked on `key` in the client's database, after a
/// command added elements to it.
fn signal(ctx: &Ctx<'_>, key: &[u8]) {
    ctx.shared.blocking.signal(ctx.shared, ctx.session.db, key);
}

/// The keys of `... numkeys key...` with `numkeys` at `args[at]`.
fn numkeys_keys(args: &[Bytes], at: usize) -> Result<Vec<usize>, &'static str> {
    const INVALID: &str = "ERR Invalid arguments specified for command";
    let n = args
        .get(at)
        .and_then(|n| parse_i64(n))
        .filter(|n| *n > 0)
        .ok_or(INVALID)?;
    let n = usize::try_from(n).map_err(|_| INVALID)?;
    if n > args.len().saturating_sub(at + 1) {
        return Err(INVALID);
    }
    Ok((at + 1..=at + n).collect())
}

fn lmpop_keys(args: &[Bytes]) -> Result<Vec<usize>, &'static str> {
    numkeys_keys(args, 1)
}

fn blmpop_keys(args: &[Bytes]) -> Result<Vec<usize>, &'static str> {
    numkeys_keys(args, 2)
}

/// A blocking command's timeout, float seconds as Redis 7.0 reads it:
/// truncated to milliseconds (so anything under 1 ms, -0.0001 included,
/// means forever, like 0); `None` is forever.
fn parse_timeout(arg: &[u8]) -> Result<Option<Duration>, ParseError> {
    let secs = parse_f64(arg)
        .ok_or_else(|| ParseError::Other("ERR timeout is not a float or out of range".into()))?;
    let negative = || ParseError::Other("ERR timeout is negative".into());
    let ms = secs * 1000.0;
    // Redis casts to long long: out of range (inf included) gives LLONG_MIN.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if !(-LIMIT..LIMIT).contains(&ms) {
        return Err(negative());
    }
    let ms = ms as i64;
    if ms < 0 {
        return Err(negative());
    }
    if ms == 0 {
        return Ok(None);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    if ms > i64::MAX - now {
        return Err(ParseError::Other("ERR timeout is out of range".into()));
    }
    Ok(Some(Duration::from_millis(ms as u64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_follow_redis_7_0() {
        assert_eq!(parse_timeout(b"0"), Ok(None));
        assert_eq!(parse_timeout(b"-0.0001"), Ok(None));
        assert_eq!(parse_timeout(b"1.5"), Ok(Some(Duration::from_millis(1500))));
        assert_eq!(parse_timeout(b".01"), Ok(Some(Duration::from_millis(10))));
        let neg = Err(ParseError::Other("ERR timeout is negative".into()));
        assert_eq!(parse_timeout(b"-1"), neg);
        assert_eq!(parse_timeout(b"inf"), neg);
        assert_eq!(parse_timeout(b"1e300"), neg);
        let nf = Err(ParseError::Other(
            "ERR timeout is not a float or out of range".into(),
        ));
        assert_eq!(parse_timeout(b"x"), nf);
        assert_eq!(parse_timeout(b"nan"), nf);
    }

    #[test]
    fn numkeys_positions() {
        let args: Vec<Bytes> = ["lmpop", "2", "a", "b", "LEFT"].map(Bytes::from).to_vec();
        assert_eq!(lmpop_keys(&args), Ok(vec![2, 3]));
        let args: Vec<Bytes> = ["lmpop", "4", "a", "b", "LEFT"].map(Bytes::from).to_vec();
        assert!(lmpop_keys(&args).is_err());
    }
}
