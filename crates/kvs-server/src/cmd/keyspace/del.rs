//! `DEL key [key ...]`, `UNLINK key [key ...]`: how many keys were removed.
//! Both free a big value off the request path (see `keyspace.rs`).

use bytes::Bytes;

use crate::cmd::Ctx;
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

/// Removes `keys` in one atomic batch.
fn delete_keys(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> Frame {
    match ctx.db().delete_many(keys) {
        Ok(n) => {
            ctx.dirty(n);
            Frame::Integer(n as i64)
        }
        Err(e) => e.into(),
    }
}
