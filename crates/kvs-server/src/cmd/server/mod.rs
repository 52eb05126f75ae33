//! The server commands: persistence, configuration, introspection,
//! flushing, shutdown.

use crate::cmd::table::flag::{
    ADMIN, ALLOW_BUSY, FAST, LOADING, NOSCRIPT, NO_MULTI, READONLY, STALE, WRITE,
};
use crate::cmd::table::{cmd, Keys, Spec};

mod bgsave;
mod command;
mod config;
mod dbsize;
mod flushall;
mod flushdb;
mod info;
mod lastsave;
mod save;
mod shutdown;
mod time;

pub(crate) const COMMANDS: &[Spec] = &[
    cmd!(
        "bgsave",
        -1,
        ADMIN | NOSCRIPT,
        Keys::NONE,
        bgsave::BgSave::parse_frames
    ),
    cmd!(
        "save",
        1,
        ADMIN | NOSCRIPT | NO_MULTI,
        Keys::NONE,
        save::Save::parse_frames
    ),
    cmd!(
        "lastsave",
        1,
        LOADING | STALE | FAST,
        Keys::NONE,
        lastsave::LastSave::parse_frames
    ),
    cmd!(
        "info",
        -1,
        LOADING | STALE,
        Keys::NONE,
        info::Info::parse_frames
    ),
    cmd!("config", -2, 0, Keys::NONE, config::ConfigCmd::parse_frames),
    cmd!(
        "command",
        -1,
        LOADING | STALE,
        Keys::NONE,
        command::CommandCmd::parse_frames
    ),
    cmd!(
        "dbsize",
        1,
        READONLY | FAST,
        Keys::NONE,
        dbsize::DbSize::parse_frames
    ),
    cmd!(
        "flushdb",
        -1,
        WRITE,
        Keys::NONE,
        flushdb::FlushDb::parse_frames
    ),
    cmd!(
        "flushall",
        -1,
        WRITE,
        Keys::NONE,
        flushall::FlushAll::parse_frames
    ),
    cmd!(
        "time",
        1,
        LOADING | STALE | FAST,
        Keys::NONE,
        time::Time::parse_frames
    ),
    cmd!(
        "shutdown",
        -1,
        ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY,
        Keys::NONE,
        shutdown::Shutdown::parse_frames
    ),
];
