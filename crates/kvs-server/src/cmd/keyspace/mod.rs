//! The commands every type shares: existence, deletion, renaming, TTLs,
//! iteration.

use crate::cmd::table::flag::{DENYOOM, FAST, READONLY, WRITE};
use crate::cmd::table::{cmd, Keys, Spec};

mod copy;
mod del;
mod exists;
mod expire;
mod expiretime;
mod keys;
mod r#move;
mod object;
mod persist;
mod randomkey;
mod rename;
mod renamenx;
mod scan;
mod ttl;
mod r#type;

const TWO: Keys = Keys::range(1, 2, 1);

pub(crate) const COMMANDS: &[Spec] = &[
    cmd!("del", -2, WRITE, Keys::ALL, del::Del::parse_frames),
    cmd!(
        "unlink",
        -2,
        WRITE | FAST,
        Keys::ALL,
        del::Del::parse_frames
    ),
    cmd!(
        "exists",
        -2,
        READONLY | FAST,
        Keys::ALL,
        exists::Exists::parse_frames
    ),
    cmd!(
        "touch",
        -2,
        READONLY | FAST,
        Keys::ALL,
        exists::Exists::parse_frames
    ),
    cmd!(
        "type",
        2,
        READONLY | FAST,
        Keys::ONE,
        r#type::Type::parse_frames
    ),
    cmd!("keys", 2, READONLY, Keys::NONE, keys::Keys::parse_frames),
    cmd!("scan", -2, READONLY, Keys::NONE, scan::Scan::parse_frames),
    cmd!(
        "randomkey",
        1,
        READONLY,
        Keys::NONE,
        randomkey::RandomKey::parse_frames
    ),
    cmd!("rename", 3, WRITE, TWO, rename::Rename::parse_frames),
    cmd!(
        "renamenx",
        3,
        WRITE | FAST,
        TWO,
        renamenx::RenameNx::parse_frames
    ),
    cmd!("copy", -3, WRITE | DENYOOM, TWO, copy::Copy::parse_frames),
    cmd!(
        "move",
        3,
        WRITE | FAST,
        Keys::ONE,
        r#move::Move::parse_frames
    ),
    cmd!(
        "expire",
        -3,
        WRITE | FAST,
        Keys::ONE,
        expire::Expire::parse_expire
    ),
    cmd!(
        "pexpire",
        -3,
        WRITE | FAST,
        Keys::ONE,
        expire::Expire::parse_pexpire
    ),
    cmd!(
        "expireat",
        -3,
        WRITE | FAST,
        Keys::ONE,
        expire::Expire::parse_expireat
    ),
    cmd!(
        "pexpireat",
        -3,
        WRITE | FAST,
        Keys::ONE,
        expire::Expire::parse_pexpireat
    ),
    cmd!("ttl", 2, READONLY | FAST, Keys::ONE, ttl::Ttl::parse_ttl),
    cmd!("pttl", 2, READONLY | FAST, Keys::ONE, ttl::Ttl::parse_pttl),
    cmd!(
        "expiretime",
        2,
        READONLY | FAST,
        Keys::ONE,
        expiretime::ExpireTime::parse_expiretime
    ),
    cmd!(
        "pexpiretime",
        2,
        READONLY | FAST,
        Keys::ONE,
        expiretime::ExpireTime::parse_pexpiretime
    ),
    cmd!(
        "persist",
        2,
        WRITE | FAST,
        Keys::ONE,
        persist::Persist::parse_frames
    ),
    cmd!(
        "object",
        -2,
        READONLY,
        Keys::range(2, 2, 1),
        object::Object::parse_frames
    ),
];
