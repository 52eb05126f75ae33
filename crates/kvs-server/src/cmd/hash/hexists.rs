//! `HEXISTS key field`.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct HExists {
    key: Bytes,
    field: Bytes,
}

impl HExists {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let field = p.next_bytes()?;
        p.finish()?;
        Ok(HExists { key, field })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(
            match super::read(ctx, &self.key, |h| h.contains(&self.field)) {
                Ok(found) => Frame::Integer(found.unwrap_or(false) as i64),
                Err(e) => e,
            },
        )
    }
}
