//! `LTRIM key start stop`: keep only the elements from `start` to `stop`
//! (LRANGE's index rules); a list trimmed to nothing is deleted.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::List;

pub(crate) struct Ltrim {
    key: Bytes,
    start: i64,
    stop: i64,
}

impl Ltrim {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let start = p.next_int()?;
        let stop = p.next_int()?;
        p.finish()?;
        Ok(Ltrim { key, start, stop })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let (start, stop) = (self.start, self.stop);
        let r = ctx.db().write::<List, _>(&self.key, false, |l| {
            let before = l.len();
            l.trim(start, stop);
            before - l.len()
        });
        Some(match r {
            Ok(n) => {
                ctx.dirty(n.unwrap_or(0));
                Frame::ok()
            }
            Err(e) => e.into(),
        })
    }
}
