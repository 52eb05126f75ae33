//! `PERSIST key`: removes the TTL; 1 if there was one.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Persist {
    key: Bytes,
}

impl Persist {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(Persist { key })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match ctx.db().persist(&self.key) {
            Ok(Some(had)) => {
                ctx.dirty(usize::from(had));
                Frame::Integer(i64::from(had))
            }
            Ok(None) => Frame::Integer(0),
            Err(e) => e.into(),
        })
    }
}
