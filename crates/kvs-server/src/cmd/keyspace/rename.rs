//! `RENAME key newkey`: moves the value and TTL, replacing `newkey`.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Rename {
    from: Bytes,
    to: Bytes,
}

impl Rename {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let from = p.next_bytes()?;
        let to = p.next_bytes()?;
        p.finish()?;
        Ok(Rename { from, to })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match ctx.db().rename(&self.from, &self.to) {
            Ok(true) => {
                ctx.dirty(1);
                Frame::ok()
            }
            Ok(false) => Frame::err("ERR no such key"),
            Err(e) => e.into(),
        })
    }
}
