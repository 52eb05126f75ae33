//! `SMEMBERS key`: every member (a set in RESP3; empty for a missing key).

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::Set;

use super::member_frame;

pub(crate) struct Smembers {
    key: Bytes,
}

impl Smembers {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(Smembers { key })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let r = ctx.db().read::<Set, _>(&self.key, |s| {
            s.iter().map(|m| member_frame(&m)).collect::<Vec<_>>()
        });
        match r {
            Ok(items) => {
                ctx.hit(items.is_some());
                Some(Frame::Set(items.unwrap_or_default()))
            }
            Err(e) => Some(e.into()),
        }
    }
}
