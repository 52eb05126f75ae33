//! `HSTRLEN key field`: the value's length, 0 for a missing field or key.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct HStrLen {
    key: Bytes,
    field: Bytes,
}

impl HStrLen {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let field = p.next_bytes()?;
        p.finish()?;
        Ok(HStrLen { key, field })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(
            match super::read(ctx, &self.key, |h| {
                h.get(&self.field).map_or(0, <[u8]>::len)
            }) {
                Ok(n) => Frame::Integer(n.unwrap_or(0) as i64),
                Err(e) => e,
            },
        )
    }
}
