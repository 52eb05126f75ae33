//! `HLEN key`.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct HLen {
    key: Bytes,
}

impl HLen {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(HLen { key })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match super::read(ctx, &self.key, |h| h.len()) {
            Ok(n) => Frame::Integer(n.unwrap_or(0) as i64),
            Err(e) => e,
        })
    }
}
