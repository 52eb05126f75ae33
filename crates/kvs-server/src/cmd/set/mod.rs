//! The set commands.
//!
//! The commands over several sets (`SINTER`, `SUNION`, `SDIFF`, their
//! `STORE` forms, `SINTERCARD`, `SMOVE`) read each set under its own read
//! lock, one at a time, never holding two locks at once; they are not yet
//! atomic across keys. Every source's type is checked before anything is
//! written, so a `WRONGTYPE` reply changes nothing.

use bytes::Bytes;

use crate::cmd::table::flag::{DENYOOM, FAST, MOVABLEKEYS, READONLY, WRITE};
use crate::cmd::table::{cmd, Keys, Spec};
use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::keyspace::KsError;
use crate::types::Set;

mod algebra;
mod sadd;
mod scard;
mod sintercard;
mod sismember;
mod smembers;
mod smove;
mod spop;
mod srandmember;
mod srem;
mod sscan;

const TWO: Keys = Keys::range(1, 2, 1);

pub(crate) const COMMANDS: &[Spec] = &[
    cmd!(
        "sadd",
        -3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        sadd::Sadd::parse_frames
    ),
    cmd!(
        "srem",
        -3,
        WRITE | FAST,
        Keys::ONE,
        srem::Srem::parse_frames
    ),
    cmd!(
        "sismember",
        3,
        READONLY | FAST,
        Keys::ONE,
        sismember::IsMember::parse_sismember
    ),
    cmd!(
        "smismember",
        -3,
        READONLY | FAST,
        Keys::ONE,
        sismember::IsMember::parse_smismember
    ),
    cmd!(
        "smembers",
        2,
        READONLY,
        Keys::ONE,
        smembers::Smembers::parse_frames
    ),
    cmd!(
        "scard",
        2,
        READONLY | FAST,
        Keys::ONE,
        scard::Scard::parse_frames
    ),
    cmd!(
        "spop",
        -2,
        WRITE | FAST,
        Keys::ONE,
        spop::Spop::parse_frames
    ),
    cmd!(
        "srandmember",
        -2,
        READONLY,
        Keys::ONE,
        srandmember::SrandMember::parse_frames
    ),
    cmd!("smove", 4, WRITE | FAST, TWO, smove::Smove::parse_frames),
    cmd!(
        "sinter",
        -2,
        READONLY,
        Keys::ALL,
        algebra::Algebra::parse_sinter
    ),
    cmd!(
        "sintercard",
        -3,
        READONLY | MOVABLEKEYS,
        Keys::movable(sintercard::keys),
        sintercard::SinterCard::parse_frames
    ),
    cmd!(
        "sinterstore",
        -3,
        WRITE | DENYOOM,
        Keys::ALL,
        algebra::Algebra::parse_sinterstore
    ),
    cmd!(
        "sunion",
        -2,
        READONLY,
        Keys::ALL,
        algebra::Algebra::parse_sunion
    ),
    cmd!(
        "sunionstore",
        -3,
        WRITE | DENYOOM,
        Keys::ALL,
        algebra::Algebra::parse_sunionstore
    ),
    cmd!(
        "sdiff",
        -2,
        READONLY,
        Keys::ALL,
        algebra::Algebra::parse_sdiff
    ),
    cmd!(
        "sdiffstore",
        -3,
        WRITE | DENYOOM,
        Keys::ALL,
        algebra::Algebra::parse_sdiffstore
    ),
    cmd!("sscan", -3, READONLY, Keys::ONE, sscan::Sscan::parse_frames),
];

/// A member as a reply (members of up to 22 bytes are not allocated).
fn member_frame(m: &[u8]) -> Frame {
    Frame::Str(kvs::Key::from(m))
}

/// Each set's size (`None` for a missing key), one key at a time, counting
/// hits and misses: `WRONGTYPE` if any key holds another type, whatever
/// comes before it (Redis looks up every key before it computes).
fn sizes(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> Result<Vec<Option<usize>>, KsError> {
    let db = ctx.db();
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let n = db.read::<Set, _>(k, Set::len)?;
        ctx.hit(n.is_some());
        out.push(n);
    }
    Ok(out)
}
