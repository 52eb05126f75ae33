//! The connection commands: authentication, protocol, client state.

use crate::cmd::table::flag::{ALLOW_BUSY, FAST, LOADING, NOSCRIPT, NO_AUTH, STALE};
use crate::cmd::table::{cmd, Keys, Spec};

mod auth;
mod client;
mod echo;
mod hello;
mod ping;
mod quit;
mod select;

/// What `AUTH`, `HELLO` and `QUIT` share: allowed before authenticating.
const BEFORE_AUTH: u32 = NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY;

pub(crate) const COMMANDS: &[Spec] = &[
    cmd!(
        "auth",
        -2,
        BEFORE_AUTH,
        Keys::NONE,
        auth::Auth::parse_frames
    ),
    cmd!(
        "hello",
        -1,
        BEFORE_AUTH,
        Keys::NONE,
        hello::Hello::parse_frames
    ),
    cmd!(
        "quit",
        -1,
        BEFORE_AUTH,
        Keys::NONE,
        quit::Quit::parse_frames
    ),
    cmd!("client", -2, 0, Keys::NONE, client::Client::parse_frames),
    cmd!("echo", 2, FAST, Keys::NONE, echo::Echo::parse_frames),
    cmd!("ping", -1, FAST, Keys::NONE, ping::Ping::parse_frames),
    cmd!(
        "select",
        2,
        LOADING | STALE | FAST,
        Keys::NONE,
        select::Select::parse_frames
    ),
];
