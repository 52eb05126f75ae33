//! `SPOP key [count]`: removes and returns random members. Without a count:
//! one member, or nil; with one: up to `count` distinct members (a set in
//! RESP3), empty for a missing key. A set emptied is deleted.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{parse_i64, Parse, ParseError};
use crate::types::Set;

pub(crate) struct Spop {
    key: Bytes,
    count: Option<usize>,
}

impl Spop {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let count = p.try_next();
        if p.remaining() > 0 {
            return Err(ParseError::Syntax);
        }
        let count = match count {
            None => None,
            Some(c) => Some(
                parse_i64(&c)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        ParseError::Other("ERR value is out of range, must be positive".into())
                    })?,
            ),
        };
        Ok(Spop { key, count })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let enc = ctx.shared.keyspace.encodings();
        let db = ctx.db();
        let rng = &mut ctx.session.rng;
        match self.count {
            None => match db.write::<Set, _>(&self.key, false, |s| s.pop_random(rng)) {
                Ok(Some(Some(m))) => {
                    ctx.dirty(1);
                    Some(Frame::Str(m))
                }
                Ok(_) => Some(Frame::Null),
                Err(e) => Some(e.into()),
            },
            Some(count) => {
                let r = db.write::<Set, _>(&self.key, false, |s| {
                    let mut out = Vec::new();
                    s.pop_random_many(count, rng, enc, &mut out);
                    out
                });
                match r {
                    Ok(popped) => {
                        let popped = popped.unwrap_or_default();
                        ctx.dirty(popped.len());
                        Some(Frame::Set(popped.into_iter().map(Frame::Str).collect()))
                    }
                    Err(e) => Some(e.into()),
                }
            }
        }
    }
}
