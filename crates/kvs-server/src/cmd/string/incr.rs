//! `INCR key`, `DECR key`, `INCRBY key n`, `DECRBY key n` (one family in
//! Redis's docs): add to an integer value, keeping its TTL.

use crate::keyspace::{Action, Expiry};
use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{parse_i64, Parse, ParseError};
use crate::value::Str;

pub(crate) struct IncrBy {
    key: Bytes,
    by: i64,
}

/// Why the addition failed.
enum Fail {
    NotInteger,
    Overflow,
}

impl IncrBy {
    pub(crate) fn parse_incr(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(IncrBy { key, by: 1 })
    }

    pub(crate) fn parse_decr(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(IncrBy { key, by: -1 })
    }

    pub(crate) fn parse_incrby(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let by = p.next_bytes()?;
        p.finish()?;
        let by = parse_i64(&by).ok_or(ParseError::NotInteger)?;
        Ok(IncrBy { key, by })
    }

    pub(crate) fn parse_decrby(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let by = p.next_bytes()?;
        p.finish()?;
        let by = parse_i64(&by).ok_or(ParseError::NotInteger)?;
        let by = by
            .checked_neg()
            .ok_or_else(|| ParseError::Other("ERR decrement would overflow".into()))?;
        Ok(IncrBy { key, by })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let by = self.by;
        let r = ctx.db().compute_str(&self.key, |e| {
            let old = match e {
                None => 0,
                Some(e) => match parse_i64(e.value()) {
                    Some(n) => n,
                    None => return (Action::Keep, Err(Fail::NotInteger)),
                },
            };
            match old.checked_add(by) {
                Some(n) => (Action::Set(Str::from(n.to_string()), Expiry::Keep), Ok(n)),
                None => (Action::Keep, Err(Fail::Overflow)),
            }
        });
        Some(match r {
            Ok(Ok(n)) => {
                ctx.dirty(1);
                Frame::Integer(n)
            }
            Ok(Err(Fail::NotInteger)) => Frame::err("ERR value is not an integer or out of range"),
            Ok(Err(Fail::Overflow)) => Frame::err("ERR increment or decrement would overflow"),
            Err(e) => e.into(),
        })
    }
}
