//! `GETDEL key`: the value, removing the key.

use bytes::Bytes;

use super::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct GetDel {
    key: Bytes,
}

impl GetDel {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(GetDel { key })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let old = ctx.db().delete(&self.key).ok();
        ctx.hit(old.is_some());
        if old.is_some() {
            ctx.dirty(1);
        }
        Some(old.map_or(Frame::Null, Frame::Str))
    }
}
