//! `LSET key index element`: replace the element at `index`. "ERR no such
//! key" for a missing key, "ERR index out of range" past either end; the key
//! is checked before the index is parsed, as in Redis 7.0.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{parse_i64, Parse, ParseError};
use crate::types::List;

pub(crate) struct Lset {
    key: Bytes,
    index: Bytes,
    value: Bytes,
}

impl Lset {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let index = p.next_bytes()?;
        let value = p.next_bytes()?;
        p.finish()?;
        Ok(Lset { key, index, value })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let enc = ctx.shared.keyspace.encodings();
        let index = parse_i64(&self.index);
        let value = &self.value;
        let r = ctx.db().write::<List, _>(&self.key, false, |l| {
            let i = index.ok_or(ParseError::NotInteger.into_frame("lset"))?;
            if l.set(i, value, enc) {
                Ok(())
            } else {
                Err(Frame::err("ERR index out of range"))
            }
        });
        Some(match r {
            Ok(None) => Frame::err("ERR no such key"),
            Ok(Some(Ok(()))) => {
                ctx.dirty(1);
                Frame::ok()
            }
            Ok(Some(Err(f))) => f,
            Err(e) => e.into(),
        })
    }
}
