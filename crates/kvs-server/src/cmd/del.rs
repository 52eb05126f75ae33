//! `DEL key [key ...]`: how many keys were removed.

use bytes::Bytes;

use super::{store_error, Ctx};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Del {
    keys: Vec<Bytes>,
}

impl Del {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        if p.remaining() == 0 {
            return Err(ParseError::WrongArity);
        }
        Ok(Del { keys: p.rest() })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(delete_keys(ctx, &self.keys))
    }
}

/// Removes `keys` in one atomic batch (DEL and UNLINK).
pub(crate) fn delete_keys(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> Frame {
    let r = if let [key] = keys {
        // The common single-key case skips the batch's grouping.
        Ok(usize::from(ctx.db().delete(key).is_ok()))
    } else {
        ctx.db().batch_delete(keys).map(|r| r.deleted)
    };
    match r {
        Ok(n) => {
            ctx.dirty(n);
            Frame::Integer(n as i64)
        }
        Err(e) => store_error(e),
    }
}
