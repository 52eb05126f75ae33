//! `HDEL key field [field ...]`: the number of fields removed; a hash left
//! empty is deleted.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::Hash;

pub(crate) struct HDel {
    key: Bytes,
    fields: Vec<Bytes>,
}

impl HDel {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let fields = p.rest();
        if fields.is_empty() {
            return Err(ParseError::WrongArity);
        }
        Ok(HDel { key, fields })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let r = ctx.db().write::<Hash, _>(&self.key, false, |h| {
            self.fields.iter().filter(|f| h.remove(f)).count()
        });
        Some(match r {
            Ok(n) => {
                let n = n.unwrap_or(0);
                ctx.dirty(n);
                Frame::Integer(n as i64)
            }
            Err(e) => e.into(),
        })
    }
}
