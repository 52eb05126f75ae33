//! `LPUSH key element...`, `RPUSH key element...`, `LPUSHX key element...`,
//! `RPUSHX key element...`: add elements at the head or tail (the X forms
//! only to an existing list); the reply is the new length. Clients blocked
//! on the key are served right after.

use bytes::Bytes;

use crate::blocking::End;
use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::List;

pub(crate) struct Push {
    key: Bytes,
    values: Vec<Bytes>,
    end: End,
    /// Only if the key exists (LPUSHX/RPUSHX).
    existing: bool,
}

impl Push {
    fn parse(p: &mut Parse, end: End, existing: bool) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let values = p.rest();
        if values.is_empty() {
            return Err(ParseError::WrongArity);
        }
        Ok(Push {
            key,
            values,
            end,
            existing,
        })
    }

    pub(crate) fn parse_lpush(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, End::Left, false)
    }

    pub(crate) fn parse_rpush(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, End::Right, false)
    }

    pub(crate) fn parse_lpushx(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, End::Left, true)
    }

    pub(crate) fn parse_rpushx(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, End::Right, true)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let enc = ctx.shared.keyspace.encodings();
        let (end, values) = (self.end, &self.values);
        let r = ctx.db().write::<List, _>(&self.key, !self.existing, |l| {
            for v in values {
                end.push(l, v, enc);
            }
            l.len()
        });
        Some(match r {
            Ok(Some(n)) => {
                ctx.dirty(values.len());
                super::signal(ctx, &self.key);
                Frame::Integer(n as i64)
            }
            Ok(None) => Frame::Integer(0),
            Err(e) => e.into(),
        })
    }
}
