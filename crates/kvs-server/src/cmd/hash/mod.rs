//! The hash commands.

use crate::cmd::table::flag::{DENYOOM, FAST, READONLY, WRITE};
use crate::cmd::table::{cmd, Keys, Spec};
use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::types::Hash;

mod hdel;
mod hexists;
mod hget;
mod hgetall;
mod hincrby;
mod hincrbyfloat;
mod hlen;
mod hmget;
mod hrandfield;
mod hscan;
mod hset;
mod hsetnx;
mod hstrlen;

pub(crate) const COMMANDS: &[Spec] = &[
    cmd!(
        "hset",
        -4,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        hset::HSet::parse_hset
    ),
    cmd!(
        "hmset",
        -4,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        hset::HSet::parse_hmset
    ),
    cmd!(
        "hsetnx",
        4,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        hsetnx::HSetNx::parse_frames
    ),
    cmd!(
        "hget",
        3,
        READONLY | FAST,
        Keys::ONE,
        hget::HGet::parse_frames
    ),
    cmd!(
        "hmget",
        -3,
        READONLY | FAST,
        Keys::ONE,
        hmget::HMGet::parse_frames
    ),
    cmd!(
        "hdel",
        -3,
        WRITE | FAST,
        Keys::ONE,
        hdel::HDel::parse_frames
    ),
    cmd!(
        "hexists",
        3,
        READONLY | FAST,
        Keys::ONE,
        hexists::HExists::parse_frames
    ),
    cmd!(
        "hlen",
        2,
        READONLY | FAST,
        Keys::ONE,
        hlen::HLen::parse_frames
    ),
    cmd!(
        "hstrlen",
        3,
        READONLY | FAST,
        Keys::ONE,
        hstrlen::HStrLen::parse_frames
    ),
    cmd!(
        "hkeys",
        2,
        READONLY,
        Keys::ONE,
        hgetall::HGetAll::parse_hkeys
    ),
    cmd!(
        "hvals",
        2,
        READONLY,
        Keys::ONE,
        hgetall::HGetAll::parse_hvals
    ),
    cmd!(
        "hgetall",
        2,
        READONLY,
        Keys::ONE,
        hgetall::HGetAll::parse_hgetall
    ),
    cmd!(
        "hincrby",
        4,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        hincrby::HIncrBy::parse_frames
    ),
    cmd!(
        "hincrbyfloat",
        4,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        hincrbyfloat::HIncrByFloat::parse_frames
    ),
    cmd!(
        "hrandfield",
        -2,
        READONLY,
        Keys::ONE,
        hrandfield::HRandField::parse_frames
    ),
    cmd!("hscan", -3, READONLY, Keys::ONE, hscan::HScan::parse_frames),
];

/// `f` on the hash at `key` under its read lock, counting a keyspace hit
/// (the key exists, whatever its type) or miss, as Redis's
/// `lookupKeyRead` does: `Ok(None)` if the key is missing, the WRONGTYPE
/// reply if it holds another type.
fn read<R>(ctx: &mut Ctx<'_>, key: &[u8], f: impl FnOnce(&Hash) -> R) -> Result<Option<R>, Frame> {
    let r = ctx.db().read::<Hash, _>(key, f);
    ctx.hit(!matches!(r, Ok(None)));
    r.map_err(Frame::from)
}
