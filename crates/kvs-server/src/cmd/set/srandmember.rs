//! `SRANDMEMBER key [count]`: random members, the set unchanged. Without a
//! count: one member, or nil. A positive count: up to `count` distinct
//! members; a negative one: exactly `-count` members, repeats allowed
//! (an array in RESP3 too, as in Redis 7.0); empty for a missing key.
//!
//! Redis builds a negative count's reply however large it is (`-LONG_MAX`
//! exhausts its memory); this server builds a reply whole before sending
//! it, so it refuses a negative count asking for more than `MAX_REPEATS`
//! members, with an error worded as Redis words its range errors.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{parse_i64, Parse, ParseError};
use crate::types::Set;

use super::member_frame;

/// The most members a negative count may ask for.
pub(crate) const MAX_REPEATS: u64 = 1 << 24;

pub(crate) struct SrandMember {
    key: Bytes,
    count: Option<Count>,
}

#[derive(Clone, Copy)]
enum Count {
    /// At most this many, distinct.
    Distinct(usize),
    /// Exactly this many, repeats allowed.
    Repeats(usize),
}

impl SrandMember {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let count = p.try_next();
        if p.remaining() > 0 {
            return Err(ParseError::Syntax);
        }
        let count = match count {
            None => None,
            Some(c) => {
                let n = parse_i64(&c).ok_or(ParseError::NotInteger)?;
                if n == i64::MIN {
                    return Err(ParseError::Other(
                        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807".into(),
                    ));
                }
                Some(if n >= 0 {
                    Count::Distinct(usize::try_from(n).unwrap_or(usize::MAX))
                } else if n.unsigned_abs() > MAX_REPEATS {
                    return Err(ParseError::Other(format!(
                        "ERR value is out of range, value must between -{MAX_REPEATS} and 9223372036854775807"
                    )));
                } else {
                    Count::Repeats(n.unsigned_abs() as usize)
                })
            }
        };
        Ok(SrandMember { key, count })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let db = ctx.db();
        let rng = &mut ctx.session.rng;
        let count = self.count;
        let r = db.read::<Set, _>(&self.key, |s| match count {
            None => s.random(rng).map_or(Frame::Null, |m| member_frame(&m)),
            Some(Count::Distinct(n)) => {
                let mut out = Vec::new();
                s.random_distinct(n, rng, &mut out);
                Frame::Array(out.iter().map(|m| member_frame(m)).collect())
            }
            Some(Count::Repeats(n)) => Frame::Array(
                (0..n)
                    .filter_map(|_| s.random(rng).map(|m| member_frame(&m)))
                    .collect(),
            ),
        });
        match r {
            Ok(Some(f)) => {
                ctx.hit(true);
                Some(f)
            }
            Ok(None) => {
                ctx.hit(false);
                Some(match count {
                    None => Frame::Null,
                    Some(_) => Frame::Array(Vec::new()),
                })
            }
            Err(e) => Some(e.into()),
        }
    }
}
