//! `AUTH [username] password`: authenticates against `--requirepass` (the
//! only user is `default`).

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Auth {
    user: Option<Bytes>,
    pass: Bytes,
}

impl Auth {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let first = p.next_bytes()?;
        let auth = match p.try_next() {
            None => Auth {
                user: None,
                pass: first,
            },
            Some(pass) => Auth {
                user: Some(first),
                pass,
            },
        };
        p.finish().map_err(|_| ParseError::Syntax)?;
        Ok(auth)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(check(ctx, self.user.as_deref(), &self.pass))
    }
}

/// Checks a username and password (AUTH, HELLO ... AUTH), authenticating the
/// connection on success.
pub(crate) fn check(ctx: &mut Ctx<'_>, user: Option<&[u8]>, pass: &[u8]) -> Frame {
    let Some(required) = ctx.shared.settings.requirepass() else {
        if user.is_none() {
            return Frame::err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        }
        // With no password, `default` accepts any password, like Redis's
        // `nopass` default user.
        return if user == Some(b"default") {
            ctx.session.authenticated = true;
            Frame::ok()
        } else {
            Frame::err("WRONGPASS invalid username-password pair or user is disabled.")
        };
    };
    let user_ok = user.is_none_or(|u| u == b"default");
    if user_ok && constant_time_eq(pass, required.as_bytes()) {
        ctx.session.authenticated = true;
        Frame::ok()
    } else {
        Frame::err("WRONGPASS invalid username-password pair or user is disabled.")
    }
}

/// Compares without an early exit, so response time does not leak how much
/// of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
