//! `ECHO message`.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Echo {
    msg: Bytes,
}

impl Echo {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let msg = p.next_bytes()?;
        p.finish()?;
        Ok(Echo { msg })
    }

    pub(crate) fn apply(self, _ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(Frame::Bulk(self.msg))
    }
}
