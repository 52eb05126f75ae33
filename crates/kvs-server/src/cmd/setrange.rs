//! `SETRANGE key offset value`: overwrite from an offset, zero-padding; the new length.

use bytes::Bytes;
use kvs::{Action, Expiry};

use super::{store_error, Ctx};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::value::Value;

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
        let r = ctx.db().compute(&self.key, |e| {
            let old: &[u8] = e.as_ref().map_or(&[][..], |e| &e.value()[..]);
            if add.is_empty() {
                // Nothing to write: the length as it is, no key created.
                return (Action::Keep, Ok(old.len()));
            }
            if offset + add.len() as u64 > max {
                return (Action::Keep, Err(Fail::TooBig));
            }
            let offset = offset as usize;
            let len = old.len().max(offset + add.len());
            let mut v = vec![0u8; len];
            v[..old.len()].copy_from_slice(old);
            v[offset..offset + add.len()].copy_from_slice(&add);
            (Action::Set(Value::from(v), Expiry::Keep), Ok(len))
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
            Err(e) => store_error(e),
        })
    }
}
