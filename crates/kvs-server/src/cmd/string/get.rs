//! `GET key`: the value, or nil.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Get {
    key: Bytes,
}

impl Get {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(Get { key })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        match ctx.db().get_str(&self.key) {
            Ok(found) => {
                ctx.hit(found.is_some());
                Some(found.map_or(Frame::Null, Frame::Str))
            }
            Err(e) => Some(e.into()),
        }
    }
}
