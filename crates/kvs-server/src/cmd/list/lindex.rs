//! `LINDEX key index`: the element at `index` (negative from the tail), nil
//! out of range or for a missing key. As in Redis, the key is looked up
//! (and its type checked) before the index is parsed.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{parse_i64, Parse, ParseError};
use crate::types::List;

pub(crate) struct Lindex {
    key: Bytes,
    index: Bytes,
}

impl Lindex {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let index = p.next_bytes()?;
        p.finish()?;
        Ok(Lindex { key, index })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let index = parse_i64(&self.index);
        let r = ctx.db().read::<List, _>(&self.key, |l| {
            index.map(|i| l.get(i).map_or(Frame::Null, Frame::bulk_from))
        });
        Some(match r {
            Ok(None) => {
                ctx.hit(false);
                Frame::Null
            }
            Ok(Some(Some(f))) => {
                ctx.hit(true);
                f
            }
            Ok(Some(None)) => ParseError::NotInteger.into_frame("lindex"),
            Err(e) => e.into(),
        })
    }
}
