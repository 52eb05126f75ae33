//! `HINCRBY key field increment`: add to a field's integer value (a
//! missing field counts as 0).

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{parse_i64, Parse, ParseError};
use crate::types::Hash;

pub(crate) struct HIncrBy {
    key: Bytes,
    field: Bytes,
    by: i64,
}

/// Why the addition failed (the hash is left as it was).
enum Fail {
    NotInteger,
    Overflow,
}

impl HIncrBy {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let field = p.next_bytes()?;
        let by = p.next_int()?;
        p.finish()?;
        Ok(HIncrBy { key, field, by })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let enc = ctx.shared.keyspace.encodings();
        let r = ctx.db().write::<Hash, _>(&self.key, true, |h| {
            let old = match h.get(&self.field) {
                None => 0,
                Some(v) => parse_i64(v).ok_or(Fail::NotInteger)?,
            };
            let n = old.checked_add(self.by).ok_or(Fail::Overflow)?;
            h.insert(&self.field, n.to_string().as_bytes(), enc);
            Ok(n)
        });
        Some(match r {
            Ok(Some(Ok(n))) => {
                ctx.dirty(1);
                Frame::Integer(n)
            }
            Ok(Some(Err(Fail::NotInteger))) => Frame::err("ERR hash value is not an integer"),
            Ok(Some(Err(Fail::Overflow))) => {
                Frame::err("ERR increment or decrement would overflow")
            }
            Ok(None) => unreachable!("write with create runs the closure"),
            Err(e) => e.into(),
        })
    }
}
