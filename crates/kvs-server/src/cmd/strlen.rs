//! `STRLEN key`: the value's length, 0 if missing.

use bytes::Bytes;

use super::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Strlen {
    key: Bytes,
}

impl Strlen {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(Strlen { key })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let len = ctx.db().get(&self.key).map_or(0, |v| v.len());
        Some(Frame::Integer(len as i64))
    }
}
