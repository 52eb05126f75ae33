//! `HGET key field`.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct HGet {
    key: Bytes,
    field: Bytes,
}

impl HGet {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let field = p.next_bytes()?;
        p.finish()?;
        Ok(HGet { key, field })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(
            match super::read(ctx, &self.key, |h| h.get(&self.field).map(Frame::bulk_from)) {
                Ok(v) => v.flatten().unwrap_or(Frame::Null),
                Err(e) => e,
            },
        )
    }
}
