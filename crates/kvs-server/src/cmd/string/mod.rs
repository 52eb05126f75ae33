//! The string commands.

use crate::cmd::table::flag::{DENYOOM, FAST, READONLY, WRITE};
use crate::cmd::table::{cmd, Keys, Spec};

mod append;
mod get;
mod getdel;
mod getex;
mod getrange;
mod getset;
mod incr;
mod incrbyfloat;
mod mget;
mod mset;
mod set;
mod setex;
mod setnx;
mod setrange;
mod strlen;

const PAIRS: Keys = Keys::range(1, -1, 2);

pub(crate) const COMMANDS: &[Spec] = &[
    cmd!("get", 2, READONLY | FAST, Keys::ONE, get::Get::parse_frames),
    cmd!(
        "set",
        -3,
        WRITE | DENYOOM,
        Keys::ONE,
        set::Set::parse_frames
    ),
    cmd!(
        "setnx",
        3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        setnx::SetNx::parse_frames
    ),
    cmd!(
        "setex",
        4,
        WRITE | DENYOOM,
        Keys::ONE,
        setex::SetEx::parse_setex
    ),
    cmd!(
        "psetex",
        4,
        WRITE | DENYOOM,
        Keys::ONE,
        setex::SetEx::parse_psetex
    ),
    cmd!(
        "getset",
        3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        getset::GetSet::parse_frames
    ),
    cmd!(
        "getdel",
        2,
        WRITE | FAST,
        Keys::ONE,
        getdel::GetDel::parse_frames
    ),
    cmd!(
        "getex",
        -2,
        WRITE | FAST,
        Keys::ONE,
        getex::GetEx::parse_frames
    ),
    cmd!(
        "mget",
        -2,
        READONLY | FAST,
        Keys::ALL,
        mget::Mget::parse_frames
    ),
    cmd!("mset", -3, WRITE | DENYOOM, PAIRS, mset::Mset::parse_mset),
    cmd!(
        "msetnx",
        -3,
        WRITE | DENYOOM,
        PAIRS,
        mset::Mset::parse_msetnx
    ),
    cmd!(
        "incr",
        2,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        incr::IncrBy::parse_incr
    ),
    cmd!(
        "decr",
        2,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        incr::IncrBy::parse_decr
    ),
    cmd!(
        "incrby",
        3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        incr::IncrBy::parse_incrby
    ),
    cmd!(
        "decrby",
        3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        incr::IncrBy::parse_decrby
    ),
    cmd!(
        "incrbyfloat",
        3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        incrbyfloat::IncrByFloat::parse_frames
    ),
    cmd!(
        "append",
        3,
        WRITE | DENYOOM | FAST,
        Keys::ONE,
        append::Append::parse_frames
    ),
    cmd!(
        "strlen",
        2,
        READONLY | FAST,
        Keys::ONE,
        strlen::Strlen::parse_frames
    ),
    cmd!(
        "getrange",
        4,
        READONLY,
        Keys::ONE,
        getrange::GetRange::parse_frames
    ),
    cmd!(
        "setrange",
        4,
        WRITE | DENYOOM,
        Keys::ONE,
        setrange::SetRange::parse_frames
    ),
];
