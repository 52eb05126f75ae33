//! `SETRANGE key offset value`: overwrite from an offset, zero-padding; the new length.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct SetRange {
    key: Bytes,
    offset: i64,
    value: Bytes,
}

enum Fail {
    TooBig,
}

impl SetRange {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let offset = p.next_bytes()?;
        let value = p.next_bytes()?;
        p.finish()?;
        let offset = crate::parse::parse_i64(&offset).ok_or(ParseError::NotInteger)?;
        if offset < 0 {
            return Err(ParseError::Other("ERR offset is out of range".into()));
        }
        Ok(SetRange { key, offset, value })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let max = ctx.shared.max_bulk() as u64;
        let offset = self.offset as u64;
        let add = self.value;
        let r = ctx.db().update_str(&self.key, |buf| {
            if add.is_empty() {
                // Nothing to write: the length as it is, no key created.
                return (false, Ok(buf.len()));
            }
            if offset + add.len() as u64 > max {
                return (false, Err(Fail::TooBig));
            }
            let offset = offset as usize;
            let end = offset + add.len();
            if buf.len() < end {
                buf.resize(end, 0);
            }
            buf[offset..end].copy_from_slice(&add);
            (true, Ok(buf.len()))
        });
        Some(match r {
            Ok(Ok(len)) => {
                if !add.is_empty() {
                    ctx.dirty(1);
                }
                Frame::Integer(len as i64)
            }
            Ok(Err(Fail::TooBig)) => {
                Frame::err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
            }
            Err(e) => e.into(),
        })
    }
}
