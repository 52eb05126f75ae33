//! `APPEND key value`: appends, keeping the TTL; the new length.

use bytes::Bytes;
use kvs::{Action, Expiry};

use super::{store_error, Ctx};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::value::Value;

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
        let r = ctx.db().compute(&self.key, |e| {
            let old: &[u8] = e.as_ref().map_or(&[][..], |e| &e.value()[..]);
            if old.len() + add.len() > max {
                return (Action::Keep, Err(()));
            }
            let mut v = Vec::with_capacity(old.len() + add.len());
            v.extend_from_slice(old);
            v.extend_from_slice(&add);
            let len = v.len();
            (Action::Set(Value::from(v), Expiry::Keep), Ok(len))
        });
        Some(match r {
            Ok(Ok(len)) => {
                ctx.dirty(1);
                Frame::Integer(len as i64)
            }
            Ok(Err(())) => {
                Frame::err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
            }
            Err(e) => store_error(e),
        })
    }
}
