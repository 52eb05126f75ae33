//! `LLEN key`: the list's length (0 if the key is missing).

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::List;

pub(crate) struct Llen {
    key: Bytes,
}

impl Llen {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(Llen { key })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match ctx.db().read::<List, _>(&self.key, List::len) {
            Ok(n) => Frame::Integer(n.unwrap_or(0) as i64),
            Err(e) => e.into(),
        })
    }
}
