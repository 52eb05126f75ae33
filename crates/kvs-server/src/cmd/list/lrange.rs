//! `LRANGE key start stop`: the elements from `start` to `stop` inclusive
//! (negative indexes count from the tail; out-of-range ones are clamped),
//! read under the key's read lock straight into the reply.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::List;

pub(crate) struct Lrange {
    key: Bytes,
    start: i64,
    stop: i64,
}

impl Lrange {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let start = p.next_int()?;
        let stop = p.next_int()?;
        p.finish()?;
        Ok(Lrange { key, start, stop })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let (start, stop) = (self.start, self.stop);
        let r = ctx.db().read::<List, _>(&self.key, |l| {
            l.range(start, stop)
                .map(Frame::bulk_from)
                .collect::<Vec<_>>()
        });
        Some(match r {
            Ok(items) => {
                ctx.hit(items.is_some());
                Frame::Array(items.unwrap_or_default())
            }
            Err(e) => e.into(),
        })
    }
}
