//! `HSETNX key field value`: set a field only if it does not exist.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::Hash;

pub(crate) struct HSetNx {
    key: Bytes,
    field: Bytes,
    value: Bytes,
}

impl HSetNx {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let field = p.next_bytes()?;
        let value = p.next_bytes()?;
        p.finish()?;
        Ok(HSetNx { key, field, value })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let enc = ctx.shared.keyspace.encodings();
        let r = ctx.db().write::<Hash, _>(&self.key, true, |h| {
            !h.contains(&self.field) && h.insert(&self.field, &self.value, enc)
        });
        Some(match r {
            Ok(set) => {
                let set = set.unwrap_or(false);
                if set {
                    ctx.dirty(1);
                }
                Frame::Integer(set as i64)
            }
            Err(e) => e.into(),
        })
    }
}
