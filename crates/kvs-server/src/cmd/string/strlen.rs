//! `STRLEN key`: the value's length, 0 if missing.

use bytes::Bytes;

use crate::cmd::Ctx;
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
        Some(match ctx.db().read_str(&self.key, |v| v.len()) {
            Ok(len) => Frame::Integer(len.unwrap_or(0) as i64),
            Err(e) => e.into(),
        })
    }
}
