//! `APPEND key value`: appends in place, keeping the TTL; the new length.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Append {
    key: Bytes,
    value: Bytes,
}

impl Append {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let value = p.next_bytes()?;
        p.finish()?;
        Ok(Append { key, value })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let max = ctx.shared.max_bulk();
        let add = self.value;
        let r = ctx.db().update_str(&self.key, |buf| {
            if buf.len() + add.len() > max {
                return (false, Err(()));
            }
            buf.extend_from_slice(&add);
            (true, Ok(buf.len()))
        });
        Some(match r {
            Ok(Ok(len)) => {
                ctx.dirty(1);
                Frame::Integer(len as i64)
            }
            Ok(Err(())) => {
                Frame::err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
            }
            Err(e) => e.into(),
        })
    }
}
