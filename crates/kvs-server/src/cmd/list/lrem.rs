//! `LREM key count element`: remove elements equal to `element` (`count` >
//! 0: the first `count` from the head; < 0: from the tail; 0: all); the
//! number removed.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::List;

pub(crate) struct Lrem {
    key: Bytes,
    count: i64,
    value: Bytes,
}

impl Lrem {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let count = p.next_int()?;
        let value = p.next_bytes()?;
        p.finish()?;
        Ok(Lrem { key, count, value })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let (count, value) = (self.count, &self.value);
        let r = ctx
            .db()
            .write::<List, _>(&self.key, false, |l| l.remove(count, value));
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
